'use strict';
/**
 * The data's memory: the worker's gzip (web/worker/inflate.js), which lets the page hand the
 * worker the data as stored, so that no decompressed copy is made in JavaScript: it agrees
 * with zlib byte for byte, and refuses what zlib refuses with one line naming the file; and
 * the engine loads a set from its .gz bytes as from the decompressed ones. (The tab's memory
 * while each preset trains: tests/page-memory.test.js.)
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const zlib = require('node:zlib');

const { MNIST_DIR, WASM_PATH, MnistEngine, mnistSet } = require('./helpers');
const Inflate = require('../web/worker/inflate.js');

const MAX_FILE_BYTES = 256 << 20; // the core's rules.maxFileBytes (src/mnist.h MNIST_MAX_FILE_BYTES)

function gunzip(gz, name = 'x.gz') {
  const out = new Uint8Array(Inflate.gzipSize(gz, name, MAX_FILE_BYTES));
  Inflate.gunzipInto(gz, out, name);
  return Buffer.from(out.buffer);
}

test('inflate.js: the MNIST files and every deflate block kind come out as zlib has them', () => {
  for (const file of fs.readdirSync(MNIST_DIR).filter((f) => f.endsWith('.gz'))) {
    const gz = fs.readFileSync(path.join(MNIST_DIR, file));
    assert.ok(gunzip(gz, file).equals(zlib.gunzipSync(gz)), file);
  }
  const random = Buffer.from(Array.from({ length: 100000 }, (_, i) => (i * 2654435761) >>> 24));
  const text = Buffer.from('the quick brown fox jumps over the lazy dog '.repeat(3000));
  const { Z_DEFAULT_STRATEGY, Z_FIXED, Z_HUFFMAN_ONLY, Z_RLE } = zlib.constants;
  for (const [name, data] of [['random', random], ['text', text], ['empty', Buffer.alloc(0)], ['mixed', Buffer.concat([random, text])]]) {
    for (const level of [0, 1, 6, 9]) { // 0: stored blocks
      for (const strategy of [Z_DEFAULT_STRATEGY, Z_FIXED, Z_HUFFMAN_ONLY, Z_RLE]) {
        assert.ok(gunzip(zlib.gzipSync(data, { level, strategy })).equals(data), `${name}, level ${level}, strategy ${strategy}`);
      }
    }
  }
  // the optional header fields (a name, a comment, extra data, a header CRC) are skipped
  const plain = zlib.gzipSync(text);
  const header = Buffer.from([0x1f, 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, 3, 2, 0, 7, 7, ...Buffer.from('n\0c\0'), 0, 0]);
  assert.ok(gunzip(Buffer.concat([header, plain.subarray(10)])).equals(text));
});

test('inflate.js: 3000 seeded corruptions and truncations are refused exactly when zlib refuses them, with one line naming the file', () => {
  const gz = zlib.gzipSync(Buffer.concat([Buffer.from('0123456789abcdef'.repeat(1500)), Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) & 255))]));
  let seed = 12;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  let refused = 0;
  for (let i = 0; i < 3000; i++) {
    let bad = Buffer.from(gz);
    for (let k = 1 + Math.floor(random() * 4); k > 0; k--) bad[Math.floor(random() * bad.length)] ^= 1 << Math.floor(random() * 8);
    if (random() < 0.2) bad = bad.subarray(0, Math.floor(random() * bad.length));
    let zlibRefuses = false;
    try { zlib.gunzipSync(bad); } catch { zlibRefuses = true; }
    let message = null;
    try { gunzip(bad, 'train-images.gz'); } catch (error) { message = error.message; }
    assert.equal(message !== null, zlibRefuses, `case ${i} (seed 12): zlib ${zlibRefuses ? 'refuses' : 'accepts'} it, inflate.js ${message || 'accepts it'}`);
    if (message) {
      refused++;
      assert.match(message, /^train-images\.gz: (corrupt gzip data \(.+\)|larger than 256 MiB when decompressed; not an MNIST file)$/, `case ${i}`);
    }
  }
  assert.ok(refused > 2500, `${refused} of 3000 refused`);
  assert.throws(() => Inflate.gzipSize(Buffer.concat([gz.subarray(0, gz.length - 4), Buffer.from([0, 0, 0, 0x20])]), 'big.gz', MAX_FILE_BYTES),
    /^Error: big\.gz: larger than 256 MiB when decompressed; not an MNIST file$/);
});

test('the engine loads a set from its .gz bytes as from the decompressed ones: the same images, labels and errors', async () => {
  const engine = await MnistEngine.create(fs.readFileSync(WASM_PATH));
  const raw = mnistSet('t10k');
  const file = (part) => fs.readFileSync(path.join(MNIST_DIR, `t10k-${part}-idx${part === 'images' ? 3 : 1}-ubyte.gz`));
  assert.deepEqual(engine.loadSet('test', file('images'), file('labels')), { count: 10000 });
  const fromGz = { images: engine.bytes().slice(engine.x.dataset_pixels(1), engine.x.dataset_pixels(1) + 7840000), labels: engine.labels('test') };
  engine.loadSet('test', new Uint8Array(raw.images), new Uint8Array(raw.labels));
  assert.ok(Buffer.from(fromGz.images).equals(Buffer.from(raw.images).subarray(16)));
  assert.ok(Buffer.from(fromGz.labels).equals(Buffer.from(raw.labels).subarray(8)));
  const broken = Buffer.from(file('labels'));
  broken[broken.length - 8] ^= 1; // the CRC
  assert.throws(() => engine.loadSet('test', file('images'), broken, { labels: 't10k-labels.gz' }),
    /^Error: t10k-labels\.gz: corrupt gzip data \(incorrect data check\)$/);
  assert.equal(engine.count('test'), 10000, 'a refused load changes nothing');
});
