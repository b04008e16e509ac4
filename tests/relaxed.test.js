'use strict';
/**
 * The optional relaxed-SIMD pair (`make wasm-relaxed`; tests/run.js builds it): the kernels'
 * multiply-adds fused (f32x4.relaxed_madd), run by the page only with ?fma=1 (web/js/modules.js).
 * The default pair's bits stay the native build's (wasm.test.js proves native = WASM = 2 threads
 * on every path; the page's default path is checked against the fast one here). The fast path:
 * other bits where the CPU has FMA (the same where it has none: V8 then multiplies and adds),
 * the default path's accuracy within noise, 2 threads = 1 thread, and the page's choice.
 * Node 20 runs relaxed SIMD behind --experimental-wasm-relaxed-simd: the engine runs in a
 * child Node (relaxed-child.js) given that flag when this one needs it.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { test } = require('node:test');

const { ROOT, BIN, MNIST_DIR, WASM_PATH, runBinary, tempDir, modelLayout } = require('./helpers');
const { SKIP, useBrowser, serve, openPage, waitForStatus, askWorker } = require('./browser-helpers');

useBrowser();

const RELAXED = path.join(ROOT, 'web', 'build', 'mnist-relaxed.wasm');
// Whether the CPU fuses (x86 `fma`, Arm's `asimd` has it): then the fast path's bits differ.
const CPU_FMA = (() => {
  try {
    return /^(flags|Features)\s*:.*\b(fma|asimd)\b/m.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch (e) {
    return null; // unknown: the bits are not compared
  }
})();
// Seed noise of the cnn preset after 2 epochs is about 0.1 point (docs/performance.md).
const NOISE = 0.003;

/** relaxed-child.js MODE ARGS in a Node that runs relaxed SIMD -> its JSON line. */
function child(...args) {
  const flags = WebAssembly.validate(fs.readFileSync(RELAXED)) ? [] : ['--experimental-wasm-relaxed-simd'];
  const r = spawnSync(process.execPath, [...flags, path.join(__dirname, 'relaxed-child.js'), ...args.map(String)],
    { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600000 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `relaxed-child.js ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

test('the build has the relaxed-SIMD pair, and only it asks for relaxed SIMD', () => {
  const plain = fs.readFileSync(WASM_PATH), relaxed = fs.readFileSync(RELAXED);
  assert.ok(fs.existsSync(RELAXED.replace('.wasm', '-mt.wasm')), 'the threaded relaxed module');
  // The target-features section names what the compiler used (wasm-ld writes it; the optimiser keeps it).
  assert.ok(relaxed.includes(Buffer.from('relaxed-simd')), 'mnist-relaxed.wasm names the relaxed-simd feature');
  assert.ok(!plain.includes(Buffer.from('relaxed-simd')), 'mnist.wasm names no relaxed-simd feature');
  const assets = fs.readFileSync(path.join(ROOT, 'web', 'build', 'assets.js'), 'utf8');
  assert.ok(assets.includes(`wasmRelaxedBase64 = ${JSON.stringify(relaxed.toString('base64'))}`), 'the page\'s bundle carries it');
});

test('fast path: the cnn preset, 2 epochs, reaches the default module\'s accuracy within noise; other bits where the CPU fuses', (t) => {
  const r = child('train', 2, 1);
  t.diagnostic(`cnn, 2 epochs, seed 1: default ${(100 * r.plain.accuracy).toFixed(2)}%, fused ${(100 * r.relaxed.accuracy).toFixed(2)}%`);
  assert.ok(r.relaxed.accuracy >= r.plain.accuracy - NOISE,
    `fused ${r.relaxed.accuracy} against the default ${r.plain.accuracy} (noise ${NOISE})`);
  if (CPU_FMA !== null) {
    assert.equal(r.relaxed.model !== r.plain.model, CPU_FMA,
      CPU_FMA ? 'the CPU has FMA, yet the fused path gave the default bits' : 'no FMA on this CPU, yet the bits differ');
  }
});

test('fast path, threaded module: 2 threads give the same bits as 1 (cnn, 30 updates)', () => {
  const r = child('threads', 30);
  assert.ok(r.one.length > 0);
  assert.equal(r.two, r.one);
});

test('modules.js: ?fma=1 picks the relaxed pair when the build has it and the browser validates it; else it says why', async () => {
  const Modules = await import('../web/js/modules.js');
  const plain = fs.readFileSync(WASM_PATH).toString('base64');
  const bundle = { wasmBase64: 'A', wasmThreadsBase64: 'B', wasmRelaxedBase64: plain, wasmRelaxedThreadsBase64: 'C', workerSource: 'w' };
  for (const asked of [undefined, '0']) {
    const off = Modules.choose(bundle, asked);
    assert.equal(off.bundle, bundle);
    assert.deepEqual(off.fma, { asked: false, on: false, text: '' });
    assert.deepEqual(off.refused, []);
  }
  const on = Modules.choose(bundle, '1'); // (a module this Node validates stands for the relaxed one)
  assert.equal(on.bundle.wasmBase64, plain);
  assert.equal(on.bundle.wasmThreadsBase64, 'C');
  assert.equal(on.bundle.workerSource, 'w');
  assert.equal(on.fma.on, true);
  assert.match(on.fma.text, /fused multiply-add \(relaxed SIMD\): faster, and its results differ in the last bits/);
  const none = Modules.choose({ ...bundle, wasmRelaxedBase64: '' }, '1');
  assert.equal(none.bundle.wasmBase64, 'A');
  assert.match(none.fma.text, /this build has no relaxed-SIMD module \(make wasm-relaxed\)/);
  const invalid = Modules.choose({ ...bundle, wasmRelaxedBase64: Buffer.from('not wasm').toString('base64') }, '1');
  assert.equal(invalid.bundle.wasmBase64, 'A');
  assert.match(invalid.fma.text, /this browser cannot run relaxed SIMD: the default module runs/);
  const bad = Modules.choose(bundle, 'yes');
  assert.equal(bad.bundle, bundle);
  assert.deepEqual(bad.refused.map((r) => r.name), ['fma']);
  assert.match(bad.refused[0].message, /"yes" is neither 1 .* nor 0/);
});

/** A model file's parameters (its configuration lines say how the run was asked for). */
function parameters(bytes) {
  const { paramsAt, paramCount } = modelLayout(bytes);
  return bytes.subarray(paramsAt, paramsAt + 4 * paramCount);
}

/** The page served with `query`: its footer line, and its network's bytes after `preset=cnn`'s
 *  first updates (iterations=N in the query). */
async function pageModel(t, url, query) {
  const { page, problems } = await openPage(t, `${url}?${query}`);
  await waitForStatus(page, /Ready/, 120000);
  const version = (await page.textContent('#version')).trim();
  await page.click('#train');
  await waitForStatus(page, /^Done/, 120000);
  const model = await askWorker(page, { type: 'save-model', req: 2026 }, ['model', 'error']);
  assert.equal(model.type, 'model', model.message);
  assert.deepEqual(problems, []);
  return { version, bytes: Buffer.from(model.bytes) };
}

test('page: ?fma=1 runs the fused modules and says what that means; without it, the native build\'s bits', { skip: SKIP }, async (t) => {
  const url = await serve(t, path.join(ROOT, 'data'));
  const query = 'preset=cnn&seed=1&iterations=20&epochs=1';
  const plain = await pageModel(t, url, query);
  const fused = await pageModel(t, url, `${query}&fma=1`);
  assert.doesNotMatch(plain.version, /multiply-add/);
  assert.match(fused.version, /Fast path: fused multiply-add \(relaxed SIMD\): faster, and its results differ in the last bits from the native build's \(\?fma=1\)/);
  const dir = tempDir(t);
  const file = path.join(dir, 'cnn.model');
  const native = runBinary(BIN.mnist, ['train', '--data', MNIST_DIR, '--preset', 'cnn', '--seed', '1', '--iterations', '20', '--save', file]);
  assert.equal(native.status, 0, native.stderr);
  assert.ok(parameters(plain.bytes).equals(parameters(fs.readFileSync(file))), 'the default path\'s network is the native build\'s, bit for bit');
  if (CPU_FMA !== null) assert.equal(!parameters(fused.bytes).equals(parameters(plain.bytes)), CPU_FMA, 'the fused path\'s bits (CPU FMA: ' + CPU_FMA + ')');

  const { page } = await openPage(t, `${url}?preset=cnn&fma=yes`);
  await waitForStatus(page, /Ready/, 120000);
  assert.match(await page.textContent('#note'), /fma \("yes" is neither 1 \(fused multiply-add/);
});
