/* runs-export.js - the kept runs as files (one job: a list of run records to JSON and to CSV,
 * and the download of either).
 *
 * JSON: {format: 'mnist-wasm-runs', version: 1, exported (ISO time), runs: [record, ...]},
 * the records as runs-store.js keeps them (curves included). CSV: one line per run, the
 * columns of CSV_COLUMNS then one per setting (the union of the runs' settings, in the order
 * first seen); a text that a spreadsheet would run as a formula (=, +, -, @ first) starts with '.
 *
 * Exports:
 *   CSV_COLUMNS
 *   toJson(records) -> text
 *   toCsv(records) -> text
 *   download(name, text, type)   saves a file through the browser
 */
export const CSV_COLUMNS = ['id', 'name', 'dataset', 'state', 'started', 'testAccuracy', 'loss', 'epochs', 'iterations',
  'samplesPerSecond', 'elapsedSeconds', 'threads', 'link'];

export function toJson(records) {
  return JSON.stringify({ format: 'mnist-wasm-runs', version: 1, exported: new Date().toISOString(), runs: records }, null, 2);
}

function cell(v) {
  if (v == null || (typeof v === 'number' && !isFinite(v))) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(records) {
  const settings = [];
  records.forEach((r) => Object.keys(r.settings || {}).forEach((k) => { if (!settings.includes(k)) settings.push(k); }));
  const lines = [CSV_COLUMNS.concat(settings).join(',')];
  records.forEach((r) => {
    const f = r.figures || {};
    const values = [r.id, r.name, r.dataset, r.state, new Date(r.startedAt).toISOString(), f.testAccuracy, f.loss, f.epochs,
      f.iterations, f.samplesPerSecond, f.elapsed, r.threads, r.link]
      .concat(settings.map((k) => (r.settings || {})[k]));
    lines.push(values.map(cell).join(','));
  });
  return `${lines.join('\r\n')}\r\n`;
}

export function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // the download has started from the URL by now; slow browsers get a moment anyway
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
