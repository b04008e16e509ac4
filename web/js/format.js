/* format.js - numbers as the page writes them (one job: text for numbers).
 *
 * Exports: int, percent, fixed, num, duration, bytesPair, bytes
 */
var intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function int(n) {
  return typeof n === 'number' && isFinite(n) ? intFormat.format(Math.round(n)) : '—';
}

/** 0.97345 -> "97.35%" */
export function percent(f, digits) {
  if (typeof f !== 'number' || !isFinite(f)) return '—';
  return (f * 100).toFixed(digits == null ? 2 : digits) + '%';
}

export function fixed(n, digits) {
  return typeof n === 'number' && isFinite(n) ? n.toFixed(digits) : '—';
}

/** up to 4 significant digits, no trailing zeros: 0.1, 0.027, 0.00243 */
export function num(n) {
  if (typeof n !== 'number' || !isFinite(n)) return '—';
  if (n !== 0 && (Math.abs(n) < 1e-4 || Math.abs(n) >= 1e6)) return n.toExponential(2);
  return String(Number(n.toPrecision(4)));
}

/** seconds -> "4.1 s", "42 s", "3 min 05 s", "1 h 02 min" */
export function duration(s) {
  if (typeof s !== 'number' || !isFinite(s) || s < 0) return '—';
  if (s < 10) return s.toFixed(1) + ' s';
  if (s < 60) return Math.round(s) + ' s';
  var m = Math.floor(s / 60), sec = Math.round(s - m * 60);
  if (sec === 60) { m += 1; sec = 0; }
  if (m < 60) return m + ' min ' + (sec < 10 ? '0' : '') + sec + ' s';
  var h = Math.floor(m / 60), mm = m - h * 60;
  return h + ' h ' + (mm < 10 ? '0' : '') + mm + ' min';
}

/** a pair of byte counts in one unit: "4.1 / 9.9 MB", "12.0 / 28.2 KB" */
export function bytesPair(a, b) {
  var big = Math.max(a || 0, b || 0);
  var unit = big >= 1e6 ? 'MB' : 'KB';
  var div = unit === 'MB' ? 1e6 : 1e3;
  var f = function (x) { return (x / div).toFixed(1); };
  return b ? f(a) + ' / ' + f(b) + ' ' + unit : f(a) + ' ' + unit;
}

export function bytes(a) {
  return a >= 1e6 ? (a / 1e6).toFixed(1) + ' MB' : (a / 1e3).toFixed(1) + ' KB';
}

