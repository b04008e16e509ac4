'use strict';
/** Shared by the test files: paths, running the binaries, crafting IDX files. */

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');

const { DATASETS, IDS, FILES, fileOf } = require('../common/datasets.js');
// IDX files and CRC-32, written from JavaScript (shared with scripts/handwriting.js)
const { idxImages, idxLabels, crc32 } = require('../scripts/lib/bytes.js');

const ROOT = path.resolve(__dirname, '..');
const BUILD = path.join(ROOT, 'build');
const MNIST_DIR = path.join(ROOT, 'data', 'mnist');
const FASHION_DIR = path.join(ROOT, 'data', 'fashion-mnist');
const BIN = {
  mnist: path.join(BUILD, 'mnist'),
  coreCheck: path.join(BUILD, 'core_check'),
  asanMnist: path.join(BUILD, 'asan', 'mnist'),
  asanCoreCheck: path.join(BUILD, 'asan', 'core_check'),
};

// Sanitizer findings must fail loudly with a status the tests can tell apart.
const SANITIZER_ENV = {
  ...process.env,
  ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0:exitcode=86',
  UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1:exitcode=87',
};

/** Runs a binary; returns { status, stdout, stderr, json } (json: last stdout line parsed, if any). */
function runBinary(bin, args, options = {}) {
  const result = spawnSync(bin, args, {
    encoding: 'utf8',
    env: SANITIZER_ENV,
    maxBuffer: 64 << 20,
    timeout: options.timeout || 600000,
  });
  if (result.error) throw result.error;
  const lines = result.stdout.trim().split('\n');
  let json = null;
  try {
    json = JSON.parse(lines[lines.length - 1]);
  } catch {
    json = null;
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, json };
}

// ---- the WebAssembly engine ----
const { WASM_PATH, MnistEngine } = require('../scripts/lib/engine.js');

/** An exact-size ArrayBuffer (Node's small Buffers share a pooled one). */
function ownBuffer(buf) {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
}

/** MNIST's training ('train') or test ('t10k') set as exact-size ArrayBuffers. */
function mnistSet(prefix) {
  const set = prefix === 't10k' ? 'test' : prefix;
  return {
    images: ownBuffer(readGz(path.join(MNIST_DIR, fileOf(set, 'images').file))),
    labels: ownBuffer(readGz(path.join(MNIST_DIR, fileOf(set, 'labels').file))),
  };
}

/* The tests' everyday network: 784-128-10 with SGD and the step schedule, no shifts (the
 * `default` preset's net, without its one-cycle schedule and shifts; wasm.test.js checks every
 * preset itself against the CLI). SEED is the `seed` preset. */
const SGD_STEP = { optimizer: 'sgd', schedule: 'step', beta1: 0.9, beta2: 0.999, eps: 1e-8, shift: 0 };
const DEFAULT = { arch: [784, 128, 10], init: 'he', seed: 1, batch: 64, lr: 0.1, momentum: 0.9, weightDecay: 0, lrDecay: 0.3, epochs: 5,
  iterations: 0, ...SGD_STEP };
const SEED = { arch: [784, 10, 10], init: 'seed', seed: 1, batch: 1000000, lr: 0.1, momentum: 0, weightDecay: 0, lrDecay: 1, epochs: 500,
  iterations: 500, ...SGD_STEP };

/** An engine (one thread) with MNIST's training and test sets loaded. */
async function engineWithMnist() {
  const engine = await MnistEngine.create(fs.readFileSync(WASM_PATH));
  const train = mnistSet('train'), testSet = mnistSet('t10k');
  engine.loadSet('train', new Uint8Array(train.images), new Uint8Array(train.labels));
  engine.loadSet('test', new Uint8Array(testSet.images), new Uint8Array(testSet.labels));
  return engine;
}

function tempDir(t, prefix = 'mnist-test-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function readGz(file) {
  return zlib.gunzipSync(fs.readFileSync(file));
}

/** Rewrites a model file's trailing CRC so that only the intended defect remains. */
function withFixedCrc(model) {
  const out = Buffer.from(model);
  out.writeUInt32LE(crc32(out.subarray(0, out.length - 4)), out.length - 4);
  return out;
}

/**
 * Fills `dir` like a dataset mirror (../shared/datasets) with small valid IDX files:
 * dir/<folder><file> for every dataset and file of common/datasets.js, gzipped and
 * read-only like the shared mirror's, and dir/SHA256SUMS of their decompressed
 * content. No two files are alike, so a mix-up fails a check. Returns
 * { dir, checksumFile, sums: Map "<folder><file>" -> SHA-256, bytes(key): the .gz }.
 */
function writeIdxMirror(dir) {
  const crypto = require('node:crypto');
  const sums = new Map();
  IDS.forEach((id, d) => {
    for (const { file, set, part } of FILES) {
      const count = set === 'train' ? 6 : 4;
      const idx = part === 'images'
        ? idxImages(count, { fill: (i) => (i * (d + 3) + count) % 256 })
        : idxLabels(Array.from({ length: count }, (_, i) => (i * (d + 1) + count) % 10));
      const key = DATASETS[id].folder + file;
      fs.mkdirSync(path.join(dir, DATASETS[id].folder), { recursive: true });
      fs.writeFileSync(path.join(dir, key), zlib.gzipSync(idx), { mode: 0o444 });
      sums.set(key, crypto.createHash('sha256').update(idx).digest('hex'));
    }
  });
  const checksumFile = path.join(dir, 'SHA256SUMS');
  const lines = [...sums].map(([key, sum]) => `${sum}  ${key}\n`);
  fs.writeFileSync(checksumFile, `# small IDX files for the tests (tests/helpers.js)\n${lines.join('')}`);
  return { dir, checksumFile, sums, bytes: (key) => fs.readFileSync(path.join(dir, key)) };
}

/** A model file's parts (format: src/core/model.c): { version, layers, paramsAt (byte offset
 *  of the first parameter), paramCount, taught, config } where config is a version 4 file's
 *  configuration lines as { key: text } in their order (null for an earlier version). */
function modelLayout(bytes) {
  const version = bytes.readUInt32LE(8), layers = bytes.readUInt32LE(12);
  const paramsAt = 16 + 4 * (version === 1 ? layers + 1 : 4 * layers) + 4;
  const paramCount = bytes.readUInt32LE(paramsAt - 4);
  let at = paramsAt + 4 * paramCount, taught = 0, config = null;
  if (version >= 3) {
    taught = bytes.readUInt32LE(at);
    at += 4 + taught * 785;
  }
  if (version === 4) {
    const text = bytes.subarray(at + 4, at + 4 + bytes.readUInt32LE(at)).toString('latin1');
    config = Object.fromEntries(text.split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')),
      line.slice(line.indexOf('=') + 1)]));
  }
  return { version, layers, paramsAt, paramCount, taught, config };
}

module.exports = {
  modelLayout, ROOT, BUILD, BIN, MNIST_DIR, FASHION_DIR, runBinary, tempDir, readGz, idxImages, idxLabels,
  crc32, withFixedCrc, WASM_PATH, MnistEngine, ownBuffer, mnistSet, DEFAULT, SEED, engineWithMnist,
};
module.exports.writeIdxMirror = writeIdxMirror;

// ---- added for the browser tests ----

/** MNIST's test set as the drawing tests replay it: image(i) (784 bytes) and label(i). */
function mnistTestDigits() {
  const images = readGz(path.join(MNIST_DIR, fileOf('test', 'images').file)).subarray(16);
  const labels = readGz(path.join(MNIST_DIR, fileOf('test', 'labels').file)).subarray(8);
  return { image: (i) => images.subarray(i * 784, (i + 1) * 784), label: (i) => labels[i] };
}

/** Horizontal strokes, one per run of ink in each row of a 28x28 image: a pen retracing
 *  the digit at the drawing pad's own pen width. -> [[x0, y, x1, y], ...] in 0..1 */
function inkStrokes(pixels, threshold = 128) {
  const strokes = [];
  for (let y = 0; y < 28; y++) {
    let start = -1;
    for (let x = 0; x <= 28; x++) {
      const ink = x < 28 && pixels[y * 28 + x] >= threshold;
      if (ink && start < 0) start = x;
      if (!ink && start >= 0) {
        strokes.push([(start + 0.5) / 28, (y + 0.5) / 28, (x - 0.5) / 28, (y + 0.5) / 28]);
        start = -1;
      }
    }
  }
  return strokes;
}

Object.assign(module.exports, { mnistTestDigits, inkStrokes });
