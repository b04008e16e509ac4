/* runs.js - the runs side by side (one job: follow each run the page trains, keep it in the
 * browser (runs-store.js), and drive the runs card: its table (runs-table.js), the curves of
 * the ticked runs on the chart (chart-overlay.js), the exports (runs-export.js)).
 *
 * A run begins when a network starts training (the store's `fresh` turns false while it
 * holds a network) and ends when another network replaces it or new data comes (`fresh`
 * turns true, or `hasNet` false). It is kept at its rest points (run-messages.js calls
 * rest(): an epoch's end at most every 2 s, a pause, the end, a divergence, a failure), as
 * it ends and as the page is left: its settings (the link that replays it), dataset, curves
 * (the chart's points), figures, threads and times. The store's `runId` names the run
 * training now (models.js keeps it with the saved model).
 *
 * Exports:
 *   init(chart)                 reads the kept runs, binds the card
 *   rest(state, figures)        state: 'training' | 'paused' | 'done' | 'diverged' | 'stopped';
 *                               figures: the `done` message's, when it is one
 *   nameOf(id) -> the run's name, null if it is not kept, undefined until the kept runs are read
 *   whenRead() -> Promise   settles once the kept runs have been read (or could not be)
 */
import * as Store from './store.js';
import * as Settings from './settings.js';
import * as RunsStore from './runs-store.js';
import * as Table from './runs-table.js';
import * as Export from './runs-export.js';
import { colorFor, PALETTE } from './chart-overlay.js';
import * as fmt from './format.js';
import { $ } from './dom.js';

const EPOCH_SAVE_MS = 2000;

let chart = null;
let runs = [];            // every run known to this page, kept or not (newest first)
let current = null;       // the run training now
let lastSave = 0;
let read = null;          // the first reading of the kept runs
let readDone = false;
const unkept = new Set(); // runs the browser refused to keep
const colors = new Map(); // ticked run id -> its colour

function note(text, kind) {
  const e = $('runs-note');
  e.textContent = text;
  e.dataset.kind = kind || 'info';
}

function hrefOf(r) {
  return `${location.href.replace(/[?#].*$/, '')}?${r.query}`;
}

function summary(r) {
  const s = r.settings || {};
  return [r.dataset, s.preset, s.arch && `layers ${s.arch}`, s.optimizer, s.lr && `lr ${s.lr}`, s.batch && `batch ${s.batch}`]
    .filter(Boolean).join(' · ');
}

function defaultName(settings) {
  return RunsStore.checkName(`${settings.preset || 'run'} · ${settings.optimizer || ''} lr ${settings.lr}`
    .slice(0, RunsStore.NAME_MAX)).name || 'run';
}

function showStats(kept) {
  const s = RunsStore.stats(kept);
  const e = $('runs-stats');
  e.textContent = `${fmt.int(s.count)} of at most ${fmt.int(RunsStore.MAX_RUNS)} runs kept in this browser (${fmt.bytes(s.bytes)}).`;
  e.dataset.count = String(s.count);
  e.dataset.bytes = String(s.bytes);
}

/** The table, the chart's overlays and the stats from the store: after every change. */
function refresh() {
  Table.render(runs.map((r) => ({
    id: r.id, name: r.name, dataset: r.dataset, summary: summary(r), state: r.state, figures: r.figures,
    threads: r.threads, startedAt: r.startedAt, href: hrefOf(r), color: colors.get(r.id) || null, kept: !unkept.has(r.id),
    live: r === current
  })));
  // in the order they were ticked
  chart.setOverlays(Array.from(colors.keys()).map((id) => runs.find((r) => r.id === id)).filter(Boolean)
    .map((r) => ({ id: r.id, name: r.name, color: colors.get(r.id), series: RunsStore.expandCurves(r.curves) })));
  $('runs-export-json').disabled = $('runs-export-csv').disabled = !runs.length;
}

function reload() {
  return RunsStore.all().then((kept) => {
    const ids = new Set(kept.map((r) => r.id));
    // this page's runs the store has not got (refused) stay listed, marked
    // the run training now stays this page's own record (a rename of it must outlive its next save)
    runs = kept.map((r) => (current && r.id === current.id ? current : r))
      .concat(runs.filter((r) => !ids.has(r.id) && unkept.has(r.id)))
      .sort((a, b) => b.startedAt - a.startedAt);
    Array.from(colors.keys()).forEach((id) => { if (!runs.some((r) => r.id === id)) colors.delete(id); });
    showStats(kept);
    refresh();
  });
}

function save(run) {
  run.savedAt = Date.now();
  const record = JSON.parse(JSON.stringify(run)); // a snapshot: the run goes on changing
  return RunsStore.put(record).then(({ dropped }) => {
    const wasRefused = unkept.delete(run.id);
    if (dropped.length) note(`Kept this run; the oldest ${dropped.length === 1 ? 'run was' : `${dropped.length} runs were`} dropped (at most ${RunsStore.MAX_RUNS} are kept).`, 'info');
    else if (wasRefused) note('This run is kept now.', 'ok');
    return reload();
  }, (e) => {
    unkept.add(run.id);
    note(e.quota
      ? `The browser refused space for the run “${run.name}” (its storage is full), so it is not kept. The runs already kept are safe and training goes on; delete some runs or free space, and it is kept at its next rest.`
      : `The run “${run.name}” could not be kept: ${e.message}. Training goes on.`, 'warn');
    refresh();
  });
}

function figuresNow(extra) {
  const p = Store.get().last || {};
  const points = chart.points();
  const test = points.test.filter((q) => q.x > 0).pop();
  const loss = points.loss[points.loss.length - 1];
  const elapsed = extra && typeof extra.elapsed === 'number' ? extra.elapsed : p.elapsed;
  return {
    testAccuracy: extra && typeof extra.testAccuracy === 'number' ? extra.testAccuracy : test ? test.y : null,
    loss: loss ? loss.y : null,
    epochs: (p.epoch || 0) + (p.epochProgress || 0),
    iterations: p.iterations || 0,
    samplesPerSecond: p.samplesPerSecond > 0 ? p.samplesPerSecond : p.samples > 0 && elapsed > 0 ? p.samples / elapsed : null,
    elapsed: typeof elapsed === 'number' ? elapsed : null
  };
}

function update(run, state, extra) {
  run.state = state;
  run.figures = figuresNow(extra);
  run.curves = RunsStore.compactCurves(chart.points());
  const p = Store.get().last;
  if (p && p.threads > 0) run.threads = p.threads;
}

function begin() {
  const S = Store.get();
  const settings = Settings.current();
  current = {
    id: `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    name: defaultName(settings), dataset: S.dataset, dataName: S.dataName,
    query: Settings.link().replace(/^[^?]*\?/, ''), settings, fromModel: S.loadedArch || null,
    state: 'training', startedAt: Date.now(), savedAt: 0, threads: null,
    figures: {}, curves: RunsStore.compactCurves(null)
  };
  lastSave = 0;
  runs.unshift(current);
  Store.set({ runId: current.id });
  refresh();
}

/** The run is over: another network or new data replaces it (the chart still shows it). */
function end() {
  const run = current;
  current = null;
  Store.set({ runId: null });
  // a run at rest was kept as it stopped (its `done` has figures a later look would not)
  if (!run || run.state !== 'training') return;
  update(run, 'stopped', null);
  save(run);
}

function keep(state, extra) {
  lastSave = Date.now();
  update(current, state, extra);
  save(current);
}

export function rest(state, extra) {
  if (!current || (state === 'training' && Date.now() - lastSave < EPOCH_SAVE_MS)) return;
  keep(state, extra);
}

export function nameOf(id) {
  if (!readDone) return undefined;
  const r = runs.find((x) => x.id === id);
  return r ? r.name : null;
}

function onTick(id, on) {
  if (!on) colors.delete(id);
  else colors.set(id, PALETTE.find((c) => !Array.from(colors.values()).includes(c)) || colorFor(colors.size));
  refresh();
}

function onRename(id, name) {
  const run = runs.find((r) => r.id === id);
  if (!run) return Promise.reject(new Error('That run is gone.'));
  // the store first: a refused rename changes nothing
  const kept = unkept.has(id) ? Promise.resolve() : RunsStore.rename(id, name);
  return kept.then(() => {
    run.name = name;
    note(`Renamed the run to “${name}”.`, 'ok');
    return reload();
  });
}

function onDelete(id) {
  const run = runs.find((r) => r.id === id);
  if (!run) return;
  RunsStore.remove(id).then(() => {
    runs = runs.filter((r) => r.id !== id);
    unkept.delete(id);
    colors.delete(id);
    if (current && current.id === id) current = null; // the run training now is no longer followed
    note(`Deleted the run “${run.name}”.`, 'ok');
    return reload();
  }).catch((e) => note(`Could not delete the run: ${e.message}.`, 'error'));
}

function exportAs(kind) {
  const records = Table.sorted(runs).map((r) => Object.assign({}, r, { link: hrefOf(r) }));
  const stamp = new Date().toISOString().slice(0, 19).replace(/[T:]/g, '-');
  if (kind === 'json') Export.download(`mnist-runs-${stamp}.json`, Export.toJson(records), 'application/json');
  else Export.download(`mnist-runs-${stamp}.csv`, Export.toCsv(records), 'text/csv');
  note(`Exported ${records.length === 1 ? 'one run' : `${records.length} runs`} as ${kind.toUpperCase()}.`, 'ok');
}

function onStore(S, changed) {
  if ((changed.includes('fresh') && S.fresh) || (changed.includes('hasNet') && !S.hasNet)) end();
  else if (changed.includes('fresh') && !S.fresh && S.hasNet) begin();
}

export function init(theChart) {
  chart = theChart;
  Store.subscribe(onStore);
  Table.init({ onTick, onRename, onDelete });
  $('runs-export-json').addEventListener('click', () => exportAs('json'));
  $('runs-export-csv').addEventListener('click', () => exportAs('csv'));
  // a run left while training: its figures as they stand (the browser may not finish the write)
  window.addEventListener('pagehide', () => { if (current && current.state === 'training') keep('training', null); });
  read = reload().catch((e) => {
    refresh();
    note(`Runs cannot be kept in this browser: ${e.message}.`, 'warn');
  }).then(() => { readDone = true; });
}

export function whenRead() { return read || Promise.resolve(); }
