/* chart-table.js - the learning curves as text (one job: the chart's text alternative): a
 * sentence with the latest figures (#chart-summary, which the canvas names as its
 * description) and the points as a table (#chart-table, in a <details> under the chart).
 * The table keeps one row per slice of the x axis (epochs), the latest value of each series
 * in it; past ROWS_MAX rows the slices become twice as wide (neighbours merged), so a run of
 * any length gives a short table. The table is written only while its <details> is open,
 * at most once per animation frame.
 *
 * Exports:
 *   createChartTable(doc) -> {add(point), clear()}   point as chart.js's addPoint:
 *     {x, loss, trainAccuracy, testAccuracy}, any of the three values may be absent;
 *     without the page's elements (#chart-summary, #chart-table) it does nothing
 *   mergeRows(rows, width)   rows [{x, loss, train, test}] (in x order) merged into slices of
 *     `width`: one row per slice, the latest value of each series
 */
import * as fmt from './format.js';

const ROWS_MAX = 60;
const FIRST_WIDTH = 0.1; // of an epoch
const EMPTY = 'No points yet: the curves appear while the network trains.';

const finite = (v) => typeof v === 'number' && isFinite(v);

/** The slice a point falls in: slice k covers (k - 1) * width .. k * width. */
const sliceOf = (x, width) => Math.max(0, Math.ceil(x / width - 1e-9));

function mergeInto(row, p) {
  row.x = Math.max(row.x, p.x);
  for (const k of ['loss', 'train', 'test']) if (finite(p[k])) row[k] = p[k];
}

export function mergeRows(rows, width) {
  const out = [];
  let slice = -1;
  for (const r of rows) {
    const s = sliceOf(r.x, width);
    if (s !== slice || !out.length) { out.push({ x: r.x, loss: null, train: null, test: null }); slice = s; }
    mergeInto(out[out.length - 1], r);
  }
  return out;
}

function summaryText(latest, best) {
  if (!latest.x && latest.loss === null && latest.test === null) return EMPTY;
  const parts = [];
  if (latest.test !== null) parts.push(`test accuracy ${fmt.percent(latest.test)} at epoch ${fmt.fixed(latest.testX, 2)}`);
  if (latest.train !== null) parts.push(`train accuracy ${fmt.percent(latest.train)}`);
  if (latest.loss !== null) parts.push(`train loss ${fmt.fixed(latest.loss, 4)}`);
  let text = `Latest: ${parts.join(', ')}.`;
  if (best) text += ` Best test accuracy: ${fmt.percent(best.test)} at epoch ${fmt.fixed(best.x, 2)}.`;
  return text;
}

function cells(row) {
  return [fmt.fixed(row.x, 2), row.loss === null ? '—' : fmt.fixed(row.loss, 4),
    row.train === null ? '—' : fmt.percent(row.train), row.test === null ? '—' : fmt.percent(row.test)];
}

export function createChartTable(doc) {
  const summary = doc.getElementById('chart-summary');
  const table = doc.getElementById('chart-table');
  if (!summary || !table) return { add() {}, clear() {} };
  const details = table.closest('details');
  const win = doc.defaultView;
  let rows, width, latest, best, frame = 0;

  function reset() {
    rows = [];
    width = FIRST_WIDTH;
    latest = { x: 0, testX: 0, loss: null, train: null, test: null };
    best = null;
  }

  function render() {
    frame = 0;
    const body = table.tBodies[0];
    const trs = rows.map((row) => {
      const tr = doc.createElement('tr');
      cells(row).forEach((text, k) => {
        const cell = doc.createElement(k === 0 ? 'th' : 'td');
        if (k === 0) cell.scope = 'row';
        cell.textContent = text;
        tr.appendChild(cell);
      });
      return tr;
    });
    body.replaceChildren(...trs);
  }

  function schedule() {
    if (frame || (details && !details.open)) return;
    frame = win.requestAnimationFrame(render);
  }

  function setSummary() {
    const text = summaryText(latest, best);
    if (summary.textContent !== text) summary.textContent = text;
  }

  if (details) details.addEventListener('toggle', schedule);
  reset();
  setSummary();

  return {
    add(p) {
      if (!p || !finite(p.x)) return;
      const point = { x: p.x, loss: finite(p.loss) ? p.loss : null, train: finite(p.trainAccuracy) ? p.trainAccuracy : null,
        test: finite(p.testAccuracy) ? p.testAccuracy : null };
      const last = rows[rows.length - 1];
      if (last && sliceOf(point.x, width) === sliceOf(last.x, width)) mergeInto(last, point);
      else rows.push({ x: point.x, loss: point.loss, train: point.train, test: point.test });
      while (rows.length > ROWS_MAX) { width *= 2; rows = mergeRows(rows, width); }
      mergeInto(latest, point);
      if (point.test !== null) {
        latest.testX = point.x;
        if (!best || point.test > best.test) best = { x: point.x, test: point.test };
      }
      setSummary();
      schedule();
    },
    clear() {
      reset();
      setSummary();
      schedule();
    }
  };
}
