/* chart-history.js - the chart's points (one job: the three series as they grow, bounded).
 * x only grows; a point at the same x replaces the last one. Past HISTORY_MAX points a
 * series is thinned to the min and max of each of HISTORY_COLUMNS slices of its x range
 * (what a chart can show anyway), so a run of any length holds a few hundred KB at most.
 *
 * Exports:
 *   createHistory() -> {series: {loss, train, test} (arrays of {x, y}), add(point), clear(),
 *                       lastX(), lossMax(), isEmpty()}
 *     point = {x, loss, trainAccuracy, testAccuracy}; any of the three values may be absent
 *   decimate(points, toPx(x), width)   the first, the last, and per pixel column the min and
 *                       max point (at most 2 * width points)
 */
const HISTORY_MAX = 8192;
const HISTORY_COLUMNS = 2048;

const finite = (v) => typeof v === 'number' && isFinite(v);

export function decimate(arr, toPx, width) {
  if (arr.length <= width * 2) return arr;
  const out = [];
  let col = -1, lo = null, hi = null;
  const flush = () => {
    if (lo === null) return;
    if (lo === hi) out.push(lo);
    else if (lo.x <= hi.x) out.push(lo, hi);
    else out.push(hi, lo);
  };
  for (const p of arr) {
    const c = Math.floor(toPx(p.x));
    if (c !== col) { flush(); col = c; lo = hi = p; continue; }
    if (p.y < lo.y) lo = p;
    if (p.y > hi.y) hi = p;
  }
  flush();
  return out;
}

function push(arr, x, y) {
  const last = arr[arr.length - 1];
  if (last && x < last.x) return;
  if (last && x === last.x) { last.y = y; return; }
  arr.push({ x, y });
  if (arr.length > HISTORY_MAX) {
    const x0 = arr[0].x, span = (x - x0) || 1;
    const kept = decimate(arr, (v) => ((v - x0) / span) * HISTORY_COLUMNS, HISTORY_COLUMNS);
    arr.length = 0;
    arr.push(...kept);
  }
}

export function createHistory() {
  const series = { loss: [], train: [], test: [] };
  const all = () => [series.loss, series.train, series.test];
  return {
    series,
    add(p) {
      if (!p || !finite(p.x)) return;
      if (finite(p.loss)) push(series.loss, p.x, p.loss);
      if (finite(p.trainAccuracy)) push(series.train, p.x, p.trainAccuracy);
      if (finite(p.testAccuracy)) push(series.test, p.x, p.testAccuracy);
    },
    clear() { all().forEach((a) => { a.length = 0; }); },
    lastX: () => Math.max(0, ...all().map((a) => (a.length ? a[a.length - 1].x : 0))),
    lossMax: () => series.loss.reduce((m, p) => (p.y > m ? p.y : m), 0),
    isEmpty: () => all().every((a) => !a.length)
  };
}
