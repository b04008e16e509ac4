/* runs-store.js - the runs kept in the browser (one job: the run records in IndexedDB's
 * store 'runs' (storage.js), their bounds and their checks).
 *
 * The bounds (docs/page.md says them to a reader):
 *   MAX_RUNS    runs kept at most; saving one more drops the oldest (by start) first
 *   MAX_POINTS  points per curve at most: a longer curve is thinned to its first and last
 *               points and the min and max of each of MAX_POINTS / 2 - 1 slices of its
 *               epochs (chart-history.js: decimate)
 *   NAME_MAX    characters of a run's name
 * A save the browser refuses for want of space rejects with `quota` true (storage.js) and
 * changes nothing: the runs already kept stay as they were.
 *
 * A record: {id, name, dataset, dataName, query (the settings' link, after the '?'),
 *   settings {name: text}, state ('training' | 'paused' | 'done' | 'diverged' | 'stopped'),
 *   startedAt, savedAt (ms), threads (computing at the last save),
 *   figures {testAccuracy, loss, epochs, iterations, samplesPerSecond, elapsed (s)},
 *   curves {loss, train, test: [[x, y], ...]}}
 *
 * Exports:
 *   MAX_RUNS, MAX_POINTS, NAME_MAX
 *   checkName(text) -> {name} | {message}   a name as typed: trimmed, 1..NAME_MAX characters, no control characters
 *   compactCurves({loss, train, test: [{x, y}]}) -> {loss, train, test: [[x, y]]}   bounded, rounded
 *   expandCurves(curves) -> {loss, train, test: [{x, y}]}
 *   put(record) -> Promise<{dropped: [id]}>   keeps (or replaces) a record; the bound applies
 *   all() -> Promise<[record]>   every valid record, newest first
 *   remove(id), rename(id, name) -> Promise
 *   sizeOf(record) -> its size as JSON (characters); stats(records) -> {count, bytes}
 */
import { transact } from './storage.js';
import { decimate } from './chart-history.js';

export const MAX_RUNS = 50;
export const MAX_POINTS = 240;
export const NAME_MAX = 60;
const STORE = 'runs';
const CURVES = ['loss', 'train', 'test'];

const finite = (v) => typeof v === 'number' && isFinite(v);

export function checkName(text) {
  const name = String(text == null ? '' : text).replace(/\s+/g, ' ').trim();
  if (!name) return { message: 'A run needs a name: type at least one character.' };
  if (name.length > NAME_MAX) return { message: `A run's name is at most ${NAME_MAX} characters (this one has ${name.length}).` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return { message: 'A run\'s name cannot hold control characters.' };
  return { name };
}

const round = (v, digits) => Number(v.toPrecision(digits));

function compact(arr) {
  const pts = (arr || []).filter((p) => p && finite(p.x) && finite(p.y));
  let kept = pts;
  if (pts.length > MAX_POINTS) {
    const first = pts[0], last = pts[pts.length - 1];
    const x0 = first.x, span = (last.x - x0) || 1;
    const columns = MAX_POINTS / 2 - 1; // two points a slice, and room for the ends
    kept = decimate(pts, (x) => Math.min(columns - 1, ((x - x0) / span) * columns), columns);
    // the run's first and last values matter most: always kept
    if (kept[0] !== first) kept.unshift(first);
    if (kept[kept.length - 1] !== last) kept.push(last);
  }
  return kept.map((p) => [round(p.x, 6), round(p.y, 5)]);
}

export function compactCurves(series) {
  const out = {};
  CURVES.forEach((k) => { out[k] = compact(series && series[k]); });
  return out;
}

export function expandCurves(curves) {
  const out = {};
  CURVES.forEach((k) => { out[k] = ((curves && curves[k]) || []).map(([x, y]) => ({ x, y })); });
  return out;
}

function validCurve(c) {
  return Array.isArray(c) && c.length <= MAX_POINTS &&
    c.every((p) => Array.isArray(p) && p.length === 2 && finite(p[0]) && finite(p[1]));
}

/** A record as kept by this version of the page (others, e.g. damaged, are left out). */
function valid(r) {
  return !!r && typeof r === 'object' && typeof r.id === 'string' && !checkName(r.name).message &&
    typeof r.query === 'string' && finite(r.startedAt) && !!r.figures && typeof r.figures === 'object' &&
    !!r.curves && CURVES.every((k) => validCurve(r.curves[k]));
}

export function put(record) {
  const dropped = [];
  return transact(STORE, 'readwrite', (s) => {
    const req = s.put(record, record.id);
    const list = s.getAll();
    list.onsuccess = () => {
      const others = list.result.filter((r) => r && r.id !== record.id)
        .sort((a, b) => (a.startedAt || 0) - (b.startedAt || 0));
      const over = others.length + 1 - MAX_RUNS;
      others.slice(0, Math.max(0, over)).forEach((r) => { dropped.push(r.id); s.delete(r.id); });
    };
    return req;
  }).then(() => ({ dropped }));
}

export function all() {
  return transact(STORE, 'readonly', (s) => s.getAll()).then((list) =>
    (list || []).filter(valid).sort((a, b) => b.startedAt - a.startedAt));
}

export function remove(id) {
  return transact(STORE, 'readwrite', (s) => s.delete(id));
}

export function rename(id, name) {
  const checked = checkName(name);
  if (checked.message) return Promise.reject(new Error(checked.message));
  return transact(STORE, 'readwrite', (s) => {
    const req = s.get(id);
    req.onsuccess = () => { if (req.result) s.put(Object.assign({}, req.result, { name: checked.name }), id); };
    return req;
  });
}

export function sizeOf(record) {
  return JSON.stringify(record).length;
}

export function stats(records) {
  return { count: records.length, bytes: records.reduce((sum, r) => sum + sizeOf(r), 0) };
}
