#!/usr/bin/env node
'use strict';
/**
 * `make bench`: this project's WebAssembly and native builds against a
 * straightforward C baseline, TensorFlow.js and ConvNetJS, side by side, on
 * MNIST. Usage: node scripts/bench.js   (after `make all data`, the naive
 * baselines in build/bench/ and `npm ci --prefix bench`; `make bench` does all that).
 *
 * Every implementation trains the same dense networks (ReLU hidden layers,
 * softmax output, cross-entropy) with plain mini-batch SGD (learning rate 0.1,
 * momentum 0, no weight decay, no learning-rate decay) for ONE epoch over the
 * 60,000 MNIST training images, each in its own shuffled order (shuffled once
 * per epoch, seeded), then is tested on the 10,000 test images. Each run is a
 * fresh child process, so its peak RSS is its own. Before the timed epoch,
 * the JS/WASM runners and the naive native baseline train 50 batches of a
 * throwaway network (warm-up, not timed; the timed epoch starts from a fresh
 * network). The project's native CLI has no warm-up (ahead-of-time code; it
 * times its own epoch).
 *
 * Timing counts training only: forward, backward, update and the per-batch
 * conversion of uint8 pixels to floats /255; not data loading,
 * decompression, warm-up or test evaluation (the native CLI's
 * samples_per_second counts the same).
 *
 * Implementations (BENCH_IMPLS=a,b,... picks some; default all):
 *   wasm          web/build/mnist.wasm via web/worker/engine.js, in slices like the page's worker
 *   native        build/mnist train ...
 *   naive-wasm    bench/naive.c (plain triple loops) with emcc -O3 -msimd128 -> build/bench/naive.wasm
 *   naive-native  bench/naive.c with gcc -O3 -> build/bench/naive
 *   tfjs-wasm     @tensorflow/tfjs 4.22.0 + tfjs-backend-wasm (SIMD build, 1 thread)
 *   tfjs-cpu      @tensorflow/tfjs 4.22.0, cpu backend (plain JS)
 *   convnetjs     convnetjs 0.3.0
 *   page-chromium the page in headless Chromium: seconds from pressing Train
 *                 to 97% test accuracy, `default` preset (its own settings:
 *                 momentum 0.9, lr decay), and the samples/s it shows then;
 *                 twice: served by scripts/serve.js (cross-origin isolated,
 *                 so the page runs its threaded build: min(cores, 4) threads)
 *                 and from file:// (one thread). Needs playwright-core (root
 *                 npm ci) and Chromium, else skipped with a message.
 *
 * Configurations: 784-128-10 at batch 64 for every implementation (the
 * headline); for wasm and native also 784-256-10 and 784-512-256-10 at
 * batch 64 and 784-128-10 at batches 16 and 256. BENCH_QUICK=1: the headline only.
 *
 * Other environment: BENCH_DATA=DIR (default data/mnist), BENCH_PEER_SAMPLES=N
 * (tfjs-cpu and convnetjs time only the first N samples of the epoch and
 * extrapolate seconds/epoch; their test accuracy is then after N samples),
 * BENCH_TIMEOUT=seconds per run (default 900), CHROMIUM=path (default /usr/bin/chromium),
 * BENCH_WASM_THREADS=N (default: the cores, at most 4; N > 1 adds runs of the
 * threaded WebAssembly build, web/build/mnist-mt.wasm, with N threads, for the
 * headline and for every other wasm configuration; 1 turns them off).
 *
 * Output: a machine line, then a table on stdout; the same runs as JSON lines
 * in build/bench.jsonl (overwritten). Exit status 1 if any run failed.
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const ROOT = path.resolve(__dirname, '..');
const BUILD = path.join(ROOT, 'build');
const RUNNERS = path.join(ROOT, 'bench', 'runners');
const OUT_FILE = path.join(BUILD, 'bench.jsonl');
const DATA_DIR = path.resolve(process.env.BENCH_DATA || path.join(ROOT, 'data', 'mnist'));
const TIME_BIN = '/usr/bin/time';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT || 900) * 1000;
const PEER_SAMPLES = Number(process.env.BENCH_PEER_SAMPLES || 0);
const WASM_THREADS = Number(process.env.BENCH_WASM_THREADS || Math.min(os.cpus().length, 4));
const LR = 0.1;
const WARMUP = 50;
const SEED = 1;

const ALL_IMPLS = ['wasm', 'native', 'naive-wasm', 'naive-native', 'tfjs-wasm', 'tfjs-cpu', 'convnetjs', 'page-chromium'];
const HEADLINE = { arch: '784-128-10', batch: 64 };
const EXTRA = [
  { arch: '784-256-10', batch: 64 },
  { arch: '784-512-256-10', batch: 64 },
  { arch: '784-128-10', batch: 16 },
  { arch: '784-128-10', batch: 256 },
];
const REPEATED = ['wasm', 'native']; // the peers are too slow to repeat

// ---- machine ----------------------------------------------------------------------

function machineInfo() {
  let cpu = os.cpus()[0] ? os.cpus()[0].model : 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch { /* not Linux: keep os.cpus() */ }
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  // The load when the run started: other work on the machine skews every figure.
  const loadavg = Math.round(os.loadavg()[0] * 100) / 100;
  return { cpu, cores, node: process.version, os: `${os.type()} ${os.release()} ${os.arch()}`, loadavg_1min: loadavg };
}

// ---- running one child ------------------------------------------------------------

/** Spawns a command; resolves { status, signal, stdout, stderr, timedOut }. */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, TIMEOUT_MS);
    child.on('error', (err) => { clearTimeout(timer); resolve({ status: null, signal: null, stdout, stderr: `${stderr}${err.message}`, timedOut }); });
    child.on('close', (status, signal) => { clearTimeout(timer); resolve({ status, signal, stdout, stderr, timedOut }); });
  });
}

function lastLine(text) {
  const lines = text.trim().split('\n').filter(Boolean);
  return lines.length ? lines[lines.length - 1] : '';
}

function failure(r, what) {
  if (r.timedOut) return `${what}: timed out after ${TIMEOUT_MS / 1000} s`;
  const tail = lastLine(r.stderr) || lastLine(r.stdout) || 'no output';
  return `${what}: exit ${r.status === null ? r.signal : r.status}: ${tail}`.slice(0, 300);
}

/** A Node runner in bench/runners/: its BENCH_RESULT line. */
async function nodeRunner(script, cfg, extraArgs = []) {
  const args = [path.join(RUNNERS, script), '--data', DATA_DIR, '--arch', cfg.arch, '--batch', String(cfg.batch),
    '--lr', String(LR), '--warmup', String(WARMUP), '--seed', String(SEED), ...extraArgs];
  const r = await run(process.execPath, args);
  const line = r.stdout.split('\n').reverse().find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(failure(r, script));
  const result = JSON.parse(line.slice('BENCH_RESULT '.length));
  if (result.error) throw new Error(result.error);
  if (r.status !== 0) throw new Error(failure(r, script));
  return result;
}

/** A native binary, through /usr/bin/time for its peak RSS when that exists. */
async function nativeRun(bin, args) {
  if (!fs.existsSync(bin)) throw new Error(`${path.relative(ROOT, bin)} is missing (make bench builds it)`);
  const timed = fs.existsSync(TIME_BIN);
  const r = timed ? await run(TIME_BIN, ['-f', 'BENCH_MAXRSS_KB=%M', bin, ...args]) : await run(bin, args);
  const m = /BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr);
  // time(1)'s own lines are not the program's error
  r.stderr = r.stderr.split('\n').filter((l) => !/^(BENCH_MAXRSS_KB=|Command exited with non-zero status)/.test(l)).join('\n');
  if (r.status !== 0) throw new Error(failure(r, path.basename(bin)));
  let json;
  try {
    json = JSON.parse(lastLine(r.stdout));
  } catch {
    throw new Error(`${path.basename(bin)}: no JSON line at the end of its output`);
  }
  return { json, peak_rss_mb: m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : null };
}

// ---- the implementations ----------------------------------------------------------------

const IMPLS = {
  async wasm(cfg) {
    return nodeRunner('project-wasm.js', cfg, cfg.threads > 1 ? ['--threads', String(cfg.threads)] : []);
  },
  async native(cfg) {
    const { json, peak_rss_mb } = await nativeRun(path.join(BUILD, 'mnist'), ['train', '--data', DATA_DIR,
      '--arch', cfg.arch, '--batch', String(cfg.batch), '--lr', String(LR), '--momentum', '0', '--lr-decay', '1',
      '--weight-decay', '0', '--seed', String(SEED), '--epochs', '1']);
    return {
      samples_timed: 60000, seconds_timed: json.seconds, samples_per_second: json.samples_per_second,
      seconds_per_epoch: json.seconds, test_accuracy: json.test_accuracy,
      threads: 1, peak_rss_mb, warmup: 'none (ahead-of-time code; the CLI times its only epoch)',
    };
  },
  async 'naive-wasm'(cfg) {
    return nodeRunner('naive-wasm.js', cfg);
  },
  async 'naive-native'(cfg) {
    const sizes = cfg.arch.split('-');
    if (sizes.length !== 3) throw new Error('the naive baseline is 784-H-10 only');
    const { json, peak_rss_mb } = await nativeRun(path.join(BUILD, 'bench', 'naive'), ['--data', DATA_DIR,
      '--hidden', sizes[1], '--batch', String(cfg.batch), '--lr', String(LR), '--warmup', String(WARMUP), '--seed', String(SEED)]);
    return {
      samples_timed: json.samples, seconds_timed: json.seconds, samples_per_second: json.samples_per_second,
      seconds_per_epoch: json.seconds, test_accuracy: json.test_accuracy, train_loss: json.train_loss,
      threads: 1, peak_rss_mb,
    };
  },
  async 'tfjs-wasm'(cfg) {
    return nodeRunner('tfjs.js', cfg, ['--backend', 'wasm']);
  },
  async 'tfjs-cpu'(cfg) {
    return nodeRunner('tfjs.js', cfg, ['--backend', 'cpu', ...(PEER_SAMPLES ? ['--samples', String(PEER_SAMPLES)] : [])]);
  },
  async convnetjs(cfg) {
    return nodeRunner('convnetjs.js', cfg, PEER_SAMPLES ? ['--samples', String(PEER_SAMPLES)] : []);
  },
  async 'page-chromium'(cfg) {
    return pageInChromium(cfg.page || 'served');
  },
};

/**
 * The page in headless Chromium: seconds from pressing Train to 97% test
 * accuracy. mode 'served': scripts/serve.js (COOP/COEP, so the page is
 * cross-origin isolated and runs its threaded build when there are cores to
 * spare); 'file': web/index.html from disk (no shared memory: one thread).
 * The thread count is read from the page's own #version line.
 */
async function pageInChromium(mode) {
  let playwright;
  try {
    playwright = require(require.resolve('playwright-core', { paths: [ROOT] }));
  } catch {
    return { skipped: 'playwright-core is not installed (npm ci at the root)' };
  }
  if (!fs.existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM}` };
  const { createServer } = require('./serve.js');
  const server = createServer({ webRoot: path.join(ROOT, 'web'), dataRoot: path.dirname(DATA_DIR) });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await playwright.chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic'],
  });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    if (mode === 'file') {
      if (DATA_DIR !== path.join(ROOT, 'data', 'mnist')) return { skipped: 'the file:// page reads data/mnist only' };
      await page.goto(pathToFileURL(path.join(ROOT, 'web', 'index.html')).href);
    } else {
      await page.goto(`http://127.0.0.1:${server.address().port}/`);
    }
    try {
      await page.waitForFunction(() => /Ready/.test(document.querySelector('#status').textContent), null, { timeout: 60000 });
    } catch {
      throw new Error(`the page never became ready: ${(await page.textContent('#status')).trim()} ${errors.join('; ')}`.trim());
    }
    const version = (await page.textContent('#version').catch(() => '')).trim();
    const threadsMatch = /(\d+) threads/.exec(version);
    const threads = threadsMatch ? Number(threadsMatch[1]) : /one thread/.test(version) ? 1 : null;
    const isolated = await page.evaluate(() => self.crossOriginIsolated === true);
    await page.selectOption('#preset', 'default');
    // Timestamps taken inside the page: the click itself, and the first time
    // #test-accuracy shows 97% or more (a MutationObserver, no polling delay).
    await page.evaluate(() => {
      const bench = {};
      window.__bench = bench;
      document.querySelector('#train').addEventListener('click', () => { bench.t0 = performance.now(); }, { capture: true, once: true });
      const el = document.querySelector('#test-accuracy');
      const check = () => {
        const m = /([\d.]+)%/.exec(el.textContent);
        if (bench.t0 !== undefined && bench.t97 === undefined && m && Number(m[1]) >= 97) {
          bench.t97 = performance.now();
          bench.accuracy = Number(m[1]) / 100;
          bench.speed = document.querySelector('#speed').textContent;
        }
      };
      new MutationObserver(check).observe(el, { childList: true, characterData: true, subtree: true });
    });
    await page.click('#train');
    await page.waitForFunction(() => window.__bench.t97 !== undefined, null, { timeout: 120000, polling: 100 });
    const bench = await page.evaluate(() => window.__bench);
    const speed = Number(String(bench.speed).replace(/[^\d.]/g, ''));
    return {
      seconds_to_97: Math.round((bench.t97 - bench.t0)) / 1000,
      samples_per_second: Number.isFinite(speed) && speed > 0 ? speed : null,
      test_accuracy: bench.accuracy,
      seconds_per_epoch: null,
      threads,
      peak_rss_mb: null,
      preset: 'default (momentum 0.9, lr 0.1 x0.3 per epoch, batch 64)',
      page: mode === 'file' ? 'file://' : 'served by scripts/serve.js',
      cross_origin_isolated: isolated,
      page_version: version,
      browser: `Chromium ${browser.version()}`,
    };
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

// ---- table --------------------------------------------------------------------------

function fmtInt(n) {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : Math.round(n).toLocaleString('en-US');
}
function fmtFixed(n, digits) {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits);
}

function table(rows) {
  const head = ['implementation', 'arch', 'batch', 'threads', 'train samples/s*', 'train s/epoch*', 'test acc.', 'peak RSS MB', 'x tfjs-wasm', 'notes'];
  const right = [false, false, true, true, true, true, true, true, true, false];
  const cells = rows.map((r) => {
    if (r.error) return [r.impl, r.arch, String(r.batch), '', '', '', '', '', '', `FAILED: ${r.error}`];
    const notes = [];
    if (r.skipped) notes.push(`skipped: ${r.skipped}`);
    if (r.seconds_to_97 !== undefined) notes.push(`${r.page}: 97% test accuracy ${r.seconds_to_97.toFixed(2)} s after pressing Train; samples/s as shown then; default preset`);
    if (r.samples_timed && r.samples_timed < 60000) notes.push(`timed ${fmtInt(r.samples_timed)} samples, s/epoch extrapolated`);
    if (r.wasm_file) notes.push(`${r.wasm_file}, ${r.wasm_threads} thread`);
    if (r.impl === 'native') notes.push('no warm-up');
    return [r.impl, r.arch, String(r.batch), r.skipped ? '' : String(r.threads ?? ''), fmtInt(r.samples_per_second),
      fmtFixed(r.seconds_per_epoch, 2), fmtFixed(r.test_accuracy, 4), fmtFixed(r.peak_rss_mb, 0),
      r.ratio_to_tfjs_wasm ? `${r.ratio_to_tfjs_wasm.toFixed(2)}x` : '—', notes.join('; ')];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((s, i) => (i === c.length - 1 ? s : right[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

// ---- main ---------------------------------------------------------------------------------

async function main() {
  const impls = process.env.BENCH_IMPLS ? process.env.BENCH_IMPLS.split(',').map((s) => s.trim()).filter(Boolean) : ALL_IMPLS;
  const unknown = impls.filter((i) => !ALL_IMPLS.includes(i));
  if (unknown.length) {
    console.error(`bench: unknown implementation(s) ${unknown.join(', ')}; known: ${ALL_IMPLS.join(', ')}`);
    process.exit(2);
  }
  const quick = process.env.BENCH_QUICK === '1';
  const plan = [];
  for (const impl of ALL_IMPLS.filter((i) => impls.includes(i))) {
    if (impl === 'page-chromium') {
      plan.push({ impl, ...HEADLINE, page: 'served' }, { impl, ...HEADLINE, page: 'file' });
    } else {
      plan.push({ impl, ...HEADLINE });
      if (impl === 'wasm' && WASM_THREADS > 1) plan.push({ impl, ...HEADLINE, threads: WASM_THREADS });
    }
  }
  if (!quick) {
    for (const cfg of EXTRA) {
      for (const impl of REPEATED.filter((i) => impls.includes(i))) {
        plan.push({ impl, ...cfg });
        if (impl === 'wasm' && WASM_THREADS > 1) plan.push({ impl, ...cfg, threads: WASM_THREADS });
      }
    }
  }

  const machine = machineInfo();
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}, load average ${machine.loadavg_1min} at start`);
  console.log(`data: ${path.relative(ROOT, DATA_DIR) || DATA_DIR}; each run: ${WARMUP} warm-up batches (untimed, throwaway network), then a fresh `
    + `network trains one epoch of 60,000 images (shuffled once per epoch) with plain SGD, lr ${LR}, momentum 0; then the 10,000 test images`);
  fs.mkdirSync(BUILD, { recursive: true });
  fs.writeFileSync(OUT_FILE, '');

  const rows = [];
  let failed = 0;
  for (const [i, item] of plan.entries()) {
    const label = `[${i + 1}/${plan.length}] ${item.impl}${item.page ? ` (${item.page})` : ''}${item.threads ? ` ${item.threads} threads` : ''} `
      + `${item.arch} batch ${item.batch}`;
    process.stderr.write(`${label} ...\n`);
    const started = Date.now();
    let row;
    try {
      row = { impl: item.impl, arch: item.arch, batch: item.batch, threads: item.threads || 1, ...(await IMPLS[item.impl](item)) };
    } catch (err) {
      failed++;
      row = { impl: item.impl, arch: item.arch, batch: item.batch, threads: item.threads || 1, error: String(err.message || err) };
    }
    row.machine = machine;
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`${label}: ${row.error ? `FAILED: ${row.error}` : row.skipped ? `skipped: ${row.skipped}`
      : `${fmtInt(row.samples_per_second)} samples/s, test accuracy ${fmtFixed(row.test_accuracy, 4)}`} (${secs} s)\n`);
    rows.push(row);
    fs.appendFileSync(OUT_FILE, `${JSON.stringify(row)}\n`); // kept as we go, rewritten with ratios below
  }
  for (const row of rows) {
    const ref = rows.find((r) => r.impl === 'tfjs-wasm' && r.arch === row.arch && r.batch === row.batch && !r.error);
    if (ref && !row.error && row.samples_per_second && row.impl !== 'page-chromium') {
      row.ratio_to_tfjs_wasm = row.samples_per_second / ref.samples_per_second;
    }
  }
  fs.writeFileSync(OUT_FILE, rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  console.log('');
  console.log('* training time only: forward, backward, update and the uint8->float (/255) conversion of each batch; '
    + 'not data loading, decompression, warm-up or test evaluation. x tfjs-wasm: samples/s over tfjs-wasm\'s at the same arch and batch.');
  console.log(table(rows));
  console.log('');
  console.log(`${rows.length} runs, ${failed} failed; JSON lines in ${path.relative(ROOT, OUT_FILE)}`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  console.error(`bench: ${err.stack || err}`);
  process.exit(1);
});
