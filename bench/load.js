'use strict';
/**
 * The machine's load while a bench row runs, so that a figure measured beside other work
 * is never reported as the machine's speed: /proc/loadavg, and the CPU taken by processes
 * OUTSIDE the bench's own process tree (bench/run.js and everything it started: runners,
 * PyTorch, Chromium and its renderers), over a window just before the row, every
 * SAMPLE_MS while it runs, and over a window just after it.
 *
 * How the others' share is counted: /proc/stat's busy ticks of all CPUs (user, nice,
 * system, irq, softirq, steal) less the ticks the bench's tree spent between two
 * snapshots (treeDelta), over the elapsed ticks of one CPU: the result is in cores (0.25 =
 * a quarter of one core). The tree's ticks: each of its processes' own (utime + stime) and
 * its ended children's (cutime + cstime) from /proc/<pid>/stat, as they grew; a process
 * that ended meanwhile and was reaped by its parent in the tree is in that parent's
 * children's ticks, so its own are taken out once; one orphaned and reaped elsewhere (a
 * browser's renderers when the browser quits) just stops counting. Not Linux (no /proc):
 * no load is recorded, and rows are not marked.
 *
 * Public: BUSY_CORES, SAMPLE_MS, WINDOW_MS, parseCpuStat(text), parsePidStat(text),
 * treeOf(procs, rootPid), treeDelta(a, b), othersCores(a, b), snapshot(rootPid), loadAvg(),
 * watchRow(run) -> {result, load}, loadOf({before, during, after, loadavg_before, loadavg_after}),
 * busyText(load) -> null or the reason a row is busy.
 */

const fs = require('node:fs');

// A row is busy when other processes took more than this, in cores, before, during or
// after it: 10% of one core is more than a quiet machine's background (an idle desktop,
// the kernel's threads: a few %), and less than any build or test beside the run; on a
// 2-core machine that much already takes time slices from a 2-thread row.
const BUSY_CORES = 0.1;
const SAMPLE_MS = 500; // during a row
const WINDOW_MS = 500; // before and after a row (the machine idle but for the others)

/** /proc/stat's first line: {busy, total, cpus} in clock ticks (all CPUs), cpus from the cpuN lines. */
function parseCpuStat(text) {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) throw new Error('no cpu line in /proc/stat');
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + steal; // guest time is already in user
  const cpus = text.split('\n').filter((l) => /^cpu\d+\s/.test(l)).length || 1;
  return { busy, total: busy + idle + iowait, cpus };
}

/** /proc/<pid>/stat: {ppid, own: utime + stime, kids: cutime + cstime}; the name may hold spaces and parentheses. */
function parsePidStat(text) {
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), kids: Number(f[13]) + Number(f[14]) };
}

/** rootPid and its descendants: a Map pid -> {ppid, own, kids} out of procs (every process). */
function treeOf(procs, rootPid) {
  const children = new Map();
  for (const [pid, p] of procs) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(pid);
  }
  const tree = new Map();
  const todo = [rootPid];
  while (todo.length) {
    const pid = todo.pop();
    if (procs.has(pid)) tree.set(pid, procs.get(pid));
    todo.push(...(children.get(pid) || []));
  }
  return tree;
}

/** The ticks the tree spent from snapshot tree a to b (Maps of treeOf; see the top). */
function treeDelta(a, b) {
  let ticks = 0;
  for (const [pid, p] of b) {
    const before = a.get(pid);
    ticks += before ? (p.own - before.own) + (p.kids - before.kids) : p.own + p.kids;
  }
  for (const [pid, gone] of a) {
    if (b.has(pid)) continue;
    const parent = b.get(gone.ppid), parentBefore = a.get(gone.ppid);
    // reaped by its parent in the tree: its ticks came back in the parent's cutime + cstime
    if (parent && parentBefore && parent.kids - parentBefore.kids >= gone.own + gone.kids) ticks -= gone.own + gone.kids;
  }
  return ticks;
}

/** Cores' worth of CPU the others took between snapshots a and b ({busy, total, cpus, tree}). */
function othersCores(a, b) {
  const elapsed = (b.total - a.total) / b.cpus; // ticks of one CPU
  if (!(elapsed > 0)) return null;
  const others = (b.busy - a.busy) - treeDelta(a.tree, b.tree);
  return Math.max(0, others) / elapsed;
}

/** Now: the CPU's ticks and the bench tree's (rootPid: bench/run.js), or null without /proc. */
function snapshot(rootPid = process.pid) {
  let cpu;
  try {
    cpu = parseCpuStat(fs.readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
  const procs = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      procs.set(Number(name), parsePidStat(fs.readFileSync(`/proc/${name}/stat`, 'utf8')));
    } catch { /* it ended meanwhile */ }
  }
  return { ...cpu, tree: treeOf(procs, rootPid), at: Date.now() };
}

/** The 1-, 5- and 15-minute load averages, or null. */
function loadAvg() {
  try {
    return fs.readFileSync('/proc/loadavg', 'utf8').trim().split(/\s+/).slice(0, 3).map(Number);
  } catch {
    return null;
  }
}

const round = (v) => (v === null || v === undefined ? null : Math.round(v * 1000) / 1000);
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/**
 * A row's load record from its measurements: before and after (cores, over the windows
 * around the row), during (cores, one per SAMPLE_MS of the row), the load averages;
 * busy: whether the others took more than BUSY_CORES before, on average during, or after.
 */
function loadOf({ before, during, after, loadavg_before = null, loadavg_after = null }) {
  const known = during.filter((v) => v !== null);
  const mean = known.length ? known.reduce((s, v) => s + v, 0) / known.length : null;
  const judged = [before, mean, after].filter((v) => v !== null && v !== undefined);
  return {
    others_cores_before: round(before), others_cores_during: round(mean),
    others_cores_during_max: known.length ? round(Math.max(...known)) : null, others_cores_after: round(after),
    samples_during: known.length, loadavg_before, loadavg_after, busy_over_cores: BUSY_CORES,
    busy: judged.length ? judged.some((v) => v > BUSY_CORES) : null,
  };
}

/** Why a row's figures are not the machine's (its load was busy), or null. */
function busyText(load) {
  if (!load || !load.busy) return null;
  const parts = [['before', load.others_cores_before], ['during', load.others_cores_during], ['after', load.others_cores_after]]
    .filter(([, v]) => v !== null && v > load.busy_over_cores).map(([when, v]) => `${v.toFixed(2)} cores ${when} the row`);
  return `other processes took ${parts.join(', ')} (the bound: ${load.busy_over_cores})`;
}

/**
 * Runs run() (a row) with the others' CPU measured over a window before it, every
 * SAMPLE_MS during it and over a window after it; resolves {result, load} (load null
 * without /proc). run's rejection passes through.
 */
async function watchRow(run) {
  const first = snapshot();
  if (!first) return { result: await run(), load: null };
  const loadavg_before = loadAvg();
  await sleep(WINDOW_MS);
  const start = snapshot();
  const during = [];
  let last = start;
  const timer = setInterval(() => {
    const now = snapshot();
    during.push(othersCores(last, now));
    last = now;
  }, SAMPLE_MS);
  let result;
  try {
    result = await run();
  } finally {
    clearInterval(timer);
  }
  const end = snapshot();
  if (end.at - last.at >= SAMPLE_MS / 5) during.push(othersCores(last, end)); // the row's tail
  if (during.length === 0) during.push(othersCores(start, end)); // a row shorter than one sample
  await sleep(WINDOW_MS);
  const after = othersCores(end, snapshot());
  return { result, load: loadOf({ before: othersCores(first, start), during, after, loadavg_before, loadavg_after: loadAvg() }) };
}

module.exports = {
  BUSY_CORES, SAMPLE_MS, WINDOW_MS, parseCpuStat, parsePidStat, treeOf, treeDelta, othersCores, snapshot, loadAvg, watchRow, loadOf,
  busyText,
};
