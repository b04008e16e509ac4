'use strict';
/**
 * A fuzz test of the worker's protocol (web/PROTOCOL.md, common/protocol.js): thousands
 * of seeded, randomly malformed messages, each followed by a well-formed request. Every
 * malformed message must get exactly one `error` (naming its request, or none, and the field
 * at fault), the request after it its right answer, and at the end the worker must be alive,
 * its network unchanged (the same model file, bit for bit), its threads and its memory
 * bounded, and training must still work.
 *
 * Deterministic from its seed: PROTOCOL_FUZZ_SEED=N replays a run (a failure prints its
 * seed); PROTOCOL_FUZZ_COUNT sets the number of malformed messages (default 3000).
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const { test } = require('node:test');

const { DEFAULT, ownBuffer } = require('./helpers');
const { startWorker } = require('./worker-helpers');
const { REQUESTS, REQUEST_TYPES } = require('../common/protocol.js');
const { threadsFor } = require('../web/worker/engine-threads.js');
const { rng: generator } = require('../bench/runners/common'); // mulberry32, seeded

const SEED = Number(process.env.PROTOCOL_FUZZ_SEED) || (Date.now() % 1000000007);
const COUNT = Number(process.env.PROTOCOL_FUZZ_COUNT) || 3000;
const REPLY_MS = 10000;       // the well-formed request's answer arrives within this (generous: a busy machine)
const MEMORY_GROWTH_MB = 150; // the process may grow by at most this during the fuzzing (one malformed
                              // `load {images: 1e9}` used to take 850 MB for good)

const plainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer);
const threadsOfProcess = () => Number(/Threads:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);
const mb = (bytes) => Math.round(bytes / 1048576);

// Names every object inherits, or that look like requests and are not.
const NOT_TYPES = ['hasOwnProperty', 'valueOf', 'isPrototypeOf', 'toLocaleString', 'toString', 'constructor',
  '__proto__', '__defineGetter__', '__defineSetter__', '__lookupGetter__', 'propertyIsEnumerable', 'prototype',
  '', 'Predict', 'train', 'ready', 'error', 'load ', 'set_hyper', 'init\u0000', 'REQUESTS'];

const HUGE_TEXT = 'x'.repeat(1 << 20);   // far over any text the core takes (rules.maxText)

/* For each field of a request, values it must refuse (a protocol.js check or the session's);
 * each `() =>` makes a fresh one (a buffer can be sent once). Among them: shared memory,
 * Dates and Maps as settings, NUL and control characters in texts, huge texts (files over
 * the core's cap: once each, before the fuzzing). */
const BAD = {
  id: [() => NaN, () => Infinity, () => ({}), () => [1], () => 'i'.repeat(201), () => true, () => null, () => 'a\u0000b', () => 'tab\t'],
  index: [() => -1, () => 1.5, () => NaN, () => 2 ** 32 + 5, () => '5', () => null, () => true, () => [5], () => 10000, () => 2 ** 31 - 1],
  pixels: [() => new SharedArrayBuffer(3136), () => new Float32Array(783), () => new Float32Array(784).fill(NaN), () => new Float32Array(784).fill(2),
    () => Array(784).fill(-0.5), () => new Uint8Array(784), () => 'pixels', () => 784, () => null, () => new ArrayBuffer(3136)],
  set: [() => 'validation', () => '', () => 1, () => null, () => ['train']],
  images: [() => new SharedArrayBuffer(16), () => 1e9, () => 'bytes', () => new Uint8Array(16), () => [0, 0, 8, 3], () => null, () => ({ byteLength: 1e9 })],
  labels: [() => 1e9, () => new Int8Array(8), () => null, () => -1],
  names: [() => 'a.gz', () => ({ images: 1 }), () => ({ foo: 'a' }), () => null, () => ({ labels: 'l'.repeat(201) }),
    () => ({ images: 'a\u0000.gz' }), () => new Map([['images', 'a']])],
  config: [() => null, () => 'default', () => 5, () => [], () => new ArrayBuffer(4), () => new SharedArrayBuffer(8),
    () => new Date(), () => new Map(Object.entries(DEFAULT)), () => new Float64Array(4),
    () => ({ ...DEFAULT, arch: '784-10\u0000-10' }), () => ({ ...DEFAULT, optimizer: 'adam\u0000x' }),
    () => ({ ...DEFAULT, arch: HUGE_TEXT }), () => ({ ...DEFAULT, optimizer: HUGE_TEXT }), () => ({ ...DEFAULT, lr: new Date() }),
    () => ({ ...DEFAULT, lr: -1 }), () => ({ ...DEFAULT, arch: '784-0-10' }), () => ({ ...DEFAULT, seed: -1 }),
    () => ({ ...DEFAULT, init: 'bogus' }), () => ({ ...DEFAULT, batch: 1.5 }), () => ({ ...DEFAULT, lr: NaN }),
    () => ({ ...DEFAULT, optimizer: 'sgdx' }), () => ({ ...DEFAULT, arch: 'x'.repeat(5000) }), () => ({ ...DEFAULT, epochs: '3' }),
    () => ({ ...DEFAULT, preset: 'cnn' }), () => ({ ...DEFAULT, foo: 1 })],
  run: [() => -1, () => 1.5, () => 'a', () => 2 ** 31, () => NaN, () => null],
  hyper: [() => null, () => 5, () => 'x', () => [], () => new SharedArrayBuffer(8), () => new Date(), () => new Map([['lr', 0.5]]),
    () => ({ optimizer: 'adam\u0000x' }), () => ({ optimizer: HUGE_TEXT }), () => ({ schedule: 'step\n' }), () => ({ lr: [0.1] }), () => ({ seed: -1 }), () => ({ init: 'bogus' }), () => ({ arch: '784-10' }),
    () => ({ lr: -1 }), () => ({ batch: 1.5 }), () => ({ foo: 1 }), () => ({ optimizer: 'sgdx' }), () => ({ lr: NaN }),
    () => ({ lr: '0.1' }), () => ({ epochs: 0, iterations: 0 }), () => ({ hasOwnProperty: 1 })],
  label: [() => 10, () => -1, () => 1.5, () => '3', () => null],
  predicted: [() => 10, () => -2, () => NaN, () => {}],
  limit: [() => -1, () => 1001, () => 1.5, () => 'all', () => null],
  order: [() => 'up', () => 1, () => null],
  units: [() => 0, () => -1, () => 4097, () => 1.5, () => 'x', () => null],
  arch: [() => 5, () => null, () => ({}), () => [1.5], () => 'x'.repeat(1001), () => Array(1001).fill(10), () => '784-10\u0000-10', () => HUGE_TEXT],
  bytes: [() => new SharedArrayBuffer(64), () => 1e9, () => 'model', () => new Uint8Array(3), () => null, () => new ArrayBuffer(0), () => new ArrayBuffer(40)],
  forget: [() => 'yes', () => 1, () => null],
  wasm: [() => new ArrayBuffer(8)],
  threads: [() => 64, () => 0, () => -1, () => 1.5],
};

// Well-formed messages to mutate (the fuzz's starting points); every field they may have.
const TEMPLATES = {
  init: () => ({ type: 'init', wasm: new ArrayBuffer(8), threads: 64 }),
  load: () => ({ type: 'load', set: 'test', images: new ArrayBuffer(16), labels: new ArrayBuffer(8), names: { images: 'i', labels: 'l' } }),
  configure: () => ({ type: 'configure', config: { ...DEFAULT }, run: 7 }),
  start: () => ({ type: 'start' }),
  resume: () => ({ type: 'resume' }),
  pause: () => ({ type: 'pause' }),
  step: () => ({ type: 'step' }),
  reset: () => ({ type: 'reset', run: 8 }),
  'set-hyper': () => ({ type: 'set-hyper', hyper: { lr: 0.05 } }),
  predict: () => ({ type: 'predict', id: 1, index: 3 }),
  mistakes: () => ({ type: 'mistakes', limit: 10, order: 'most' }),
  cell: () => ({ type: 'cell', label: 1, predicted: 7, limit: 10, order: 'least' }),
  weights: () => ({ type: 'weights', units: 8 }),
  'describe-arch': () => ({ type: 'describe-arch', id: 2, arch: '784-10' }),
  'save-model': () => ({ type: 'save-model' }),
  'load-model': () => ({ type: 'load-model', bytes: new ArrayBuffer(8), run: 9 }),
  'export-onnx': () => ({ type: 'export-onnx' }),
  evaluate: () => ({ type: 'evaluate' }),
  teach: () => ({ type: 'teach', id: 3, pixels: new Float32Array(784), label: 4 }),
  'taught-examples': () => ({ type: 'taught-examples', forget: false }),
};

/** A malformed message and what its error must say: {message, request (the type named, or null), field}. */
function malformed(random) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const type = pick(Object.keys(TEMPLATES));
  const m = TEMPLATES[type]();
  const fields = Object.keys(m).filter((k) => k !== 'type' && BAD[k]);
  const kind = random();
  if (type === 'init') return { message: m, request: 'init', field: null }; // a second init: refused whole
  if (kind < 0.12) { // not a request type at all
    const other = pick([() => pick(NOT_TYPES), () => Math.floor(random() * 1e6), () => null, () => ({ type: 'predict' }),
      () => ['predict'], () => true, () => undefined, () => `${type}x`])();
    return { message: { ...m, type: other }, request: null, field: 'type' };
  }
  if (kind < 0.17) return { message: pick([null, 42, 'predict', ['predict'], true, { types: 'predict' }]), request: null, field: null };
  if (kind < 0.32 || fields.length === 0) { // an unknown field beside the right ones
    const name = pick(['foo', 'constructor', 'hasOwnProperty', 'toString', 'Index', 'images2', 'x'.repeat(50)]);
    Object.defineProperty(m, name, { value: pick([1, 'a', null, {}]), enumerable: true, writable: true, configurable: true });
    return { message: m, request: type, field: name };
  }
  const needs = REQUESTS[type].needs; // fields it cannot do without: a malformed message may leave one out
  if (kind < 0.42 && needs.length) {
    const field = pick(needs);
    delete m[field];
    return { message: m, request: type, field: type === 'predict' ? null : field };
  }
  const field = pick(fields);
  m[field] = pick(BAD[field])();
  if (type === 'predict' && field === 'pixels') delete m.index; // (with both: refused for that)
  // A bad setting inside config or hyper is named by its own key, and a model file of the
  // right kind is refused by the core for what is inside it; a field the session checks
  // against the state (an index beyond the test set) is named.
  const value = m[field];
  const inside = ((field === 'config' || field === 'hyper') && plainObject(value)) || (field === 'bytes' && value instanceof ArrayBuffer);
  return { message: m, request: type, field: inside ? undefined : field };
}

test(`protocol fuzz: ${COUNT} malformed messages, each answered by one error, and nothing changes (seed ${SEED})`, async (t) => {
  const seedNote = `(replay with PROTOCOL_FUZZ_SEED=${SEED})`;
  t.diagnostic(`seed ${SEED} ${seedNote}`);
  const random = generator(SEED);
  assert.deepEqual(Object.keys(TEMPLATES).sort(), [...REQUEST_TYPES].sort(), 'a template for every request of common/protocol.js');
  const w = startWorker(t);

  // Before init: every request but init is refused, and answered.
  for (const type of ['start', 'predict', 'evaluate', 'load']) {
    const since = w.messages.length;
    w.send(TEMPLATES[type]());
    const e = await w.waitFor('error', undefined, REPLY_MS, since);
    assert.match(e.message, /send init first/);
  }
  const ready = await w.init(64); // asks for 64 threads: gets what pays on this machine (engine-threads.js threadsFor)
  assert.ok(ready.threads >= 1 && ready.threads <= threadsFor(os.availableParallelism()), `${ready.threads} threads started`);

  // Files of one byte more than the core's cap: refused before anything is copied in.
  for (const [message, field] of [[{ type: 'load-model', bytes: new ArrayBuffer(ready.rules.maxFileBytes + 1) }, 'bytes'],
    [{ type: 'load', set: 'test', images: new ArrayBuffer(ready.rules.maxFileBytes + 1), labels: new ArrayBuffer(8) }, 'images']]) {
    const since = w.messages.length;
    w.send(message, [message.bytes || message.images]);
    const e = await w.waitFor('error', undefined, REPLY_MS, since);
    assert.deepEqual([e.request, e.field], [message.type, field], e.message);
    assert.match(e.message, /the core's maxFileBytes/);
  }

  // Before data and network: the requests that need them are refused with the reason.
  const stateErrors = [
    [{ type: 'evaluate' }, /configure a network first/], [{ type: 'start' }, /configure a network first/],
    [{ type: 'pause' }, /configure a network first/], [{ type: 'step' }, /configure a network first/],
    [{ type: 'predict', id: 1, index: 0 }, /configure a network first/], [{ type: 'mistakes' }, /configure a network first/],
    [{ type: 'save-model' }, /configure a network first/], [{ type: 'reset' }, /configure a network first/],
    [{ type: 'export-onnx' }, /configure a network first/],
    [{ type: 'set-hyper', hyper: { lr: 0.1 } }, /configure a network first/],
  ];
  for (const [message, pattern] of stateErrors) {
    const since = w.messages.length;
    w.send(message);
    const e = await w.waitFor('error', undefined, REPLY_MS, since);
    assert.match(e.message, pattern, message.type);
    assert.equal(e.request, message.type);
  }
  let since = w.messages.length;
  w.send({ type: 'configure', config: { ...DEFAULT }, run: 1 });
  await w.waitFor('configured', undefined, REPLY_MS, since);
  for (const [message, pattern] of [[{ type: 'evaluate' }, /no test set loaded/], [{ type: 'start' }, /no training set loaded/],
    [{ type: 'predict', id: 1, index: 0 }, /no test set loaded/], [{ type: 'cell', label: 1, predicted: 1 }, /no test set loaded/],
    [{ type: 'step' }, /no training set loaded/]]) {
    since = w.messages.length;
    w.send(message);
    const e = await w.waitFor('error', undefined, REPLY_MS, since);
    assert.match(e.message, pattern, message.type);
  }

  await w.loadMnist();
  since = w.messages.length;
  w.send({ type: 'configure', config: { ...DEFAULT }, run: 2 });
  await w.waitFor('configured', undefined, REPLY_MS, since);
  await w.waitFor('predictions', undefined, 60000, since); // (after the untrained network's test)
  w.send({ type: 'save-model' });
  const baseline = Buffer.from((await w.waitFor('model', undefined, REPLY_MS, since)).bytes);
  const threadsBefore = threadsOfProcess();
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;

  // The well-formed requests that follow each malformed one, and their right answers.
  const predictions = new Map(); // index -> probabilities of the network as it stands
  const probes = [
    (k) => [{ type: 'describe-arch', id: k, arch: '784-c8k3-p2-10' }, 'arch-description',
      (r) => assert.ok(r.ok && r.id === k && r.params === 8 * 10 + 13 * 13 * 8 * 10 + 10)],
    (k) => {
      const index = Math.floor(random() * 10000);
      return [{ type: 'predict', id: k, index }, 'prediction', (r) => {
        assert.equal(r.id, k);
        if (!predictions.has(index)) predictions.set(index, r.probabilities);
        assert.deepEqual(r.probabilities, predictions.get(index), 'the same image, the same network: the same answer');
      }];
    },
    (k) => [{ type: 'set-hyper', hyper: {} }, 'hyper', (r) => assert.equal(r.hyper.lr, DEFAULT.lr)],
    (k) => [{ type: 'taught-examples', forget: false }, 'taught-examples', (r) => assert.equal(r.count, 0)],
    (k) => [{ type: 'weights', units: 3 }, 'weights', (r) => assert.equal(r.values.length, 3 * 784)],
    (k) => [{ type: 'pause' }, 'progress', (r) => assert.equal(r.state, 'idle')],
  ];

  const counts = { malformed: 0, errors: 0, byRequest: {} };
  for (let k = 0; k < COUNT; k++) {
    const bad = malformed(random);
    const [probe, replyType, check] = probes[k % 50 === 49 ? 0 : Math.floor(random() * probes.length)](k);
    w.messages.length = 0; // (kept, thousands of replies would be the test's memory, not the worker's)
    since = 0;
    try {
      w.send(bad.message);
      w.send(probe);
      const reply = await w.waitFor(replyType, () => true, REPLY_MS, since);
      check(reply);
      const got = w.messages.slice(since);
      const errors = got.filter((m) => m.type === 'error');
      assert.equal(errors.length, 1, `one error for the malformed message, got ${errors.length}`);
      assert.equal(errors[0].request, bad.request, `the error names its request: ${errors[0].message}`);
      if (bad.field !== undefined && bad.field !== null) assert.equal(errors[0].field, bad.field, errors[0].message);
      assert.ok(errors[0].message.length > 5 && errors[0].message.length < 300, errors[0].message);
      assert.equal(got.indexOf(errors[0]) < got.indexOf(reply), true, 'answers in order');
      assert.equal(got.length, 2, `nothing else: ${got.map((m) => m.type).join(', ')}`);
    } catch (error) {
      error.message = `${error.message}\n  message ${k}: ${describe(bad.message)} ${seedNote}`;
      throw error;
    }
    assert.equal(w.exited, null, `the worker ended ${seedNote}`);
    counts.malformed++;
    counts.errors++;
    counts.byRequest[bad.request || '(none)'] = (counts.byRequest[bad.request || '(none)'] || 0) + 1;
  }
  t.diagnostic(`malformed messages ${counts.malformed}, errors ${counts.errors}, by request ${JSON.stringify(counts.byRequest)}`);

  // Nothing changed: the same network, bit for bit; no thread or memory left behind.
  since = w.messages.length;
  w.send({ type: 'save-model' });
  const after = Buffer.from((await w.waitFor('model', undefined, REPLY_MS, since)).bytes);
  assert.ok(after.equals(baseline), `the network changed ${seedNote}`);
  assert.equal(threadsOfProcess(), threadsBefore, `threads left behind ${seedNote}`);
  global.gc?.();
  const growth = mb(process.memoryUsage().rss - rssBefore);
  t.diagnostic(`process memory grew by ${growth} MB; threads ${threadsBefore} before and after`);
  assert.ok(growth < MEMORY_GROWTH_MB, `memory grew by ${growth} MB ${seedNote}`);

  // ... and it still trains.
  since = w.messages.length;
  w.send({ type: 'set-hyper', hyper: { iterations: 50 } });
  await w.waitFor('hyper', undefined, REPLY_MS, since);
  w.send({ type: 'start' });
  const done = await w.waitFor('done', undefined, 60000, since);
  assert.equal(done.reason, 'iterations');
  assert.ok(done.testAccuracy > 0.8, `trained to ${done.testAccuracy}`);
});

/** A malformed message in a line (buffers by their kind and size). */
function describe(message) {
  return JSON.stringify(message, (key, value) => {
    if (value instanceof ArrayBuffer) return `ArrayBuffer(${value.byteLength})`;
    if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${value.length})`;
    if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
    return value === undefined ? 'undefined' : value;
  });
}

test('protocol: the worker answers pause and predict within a slice while it tests a large network', async (t) => {
  const w = startWorker(t);
  await w.init(1);
  await w.loadMnist();
  let since = w.messages.length;
  // about 1.8 million weights: one test of 10,000 images takes seconds; batches of 512, so
  // that the step below is many slices long however fast the machine is (one of 64 images
  // can fit in a single slice)
  w.send({ type: 'configure', config: { ...DEFAULT, arch: '784-1024-1024-10', batch: 512 }, run: 1 });
  await w.waitFor('configured', undefined, 60000, since);
  const sent = performance.now();
  w.send({ type: 'predict', id: 'p', index: 7 });
  const p = await w.waitFor('prediction', (m) => m.id === 'p', 60000, since);
  const evaluation = await w.waitFor('evaluation', undefined, 120000, since);
  const testing = w.messages.slice(since).filter((m) => m.type === 'testing');
  t.diagnostic(`prediction answered after ${Math.round(p.receivedAt - sent)} ms; the test took ${evaluation.seconds.toFixed(2)} s, `
    + `${testing.length} testing reports`);
  assert.ok(p.receivedAt < evaluation.receivedAt, 'the prediction did not wait for the test');
  if (evaluation.seconds > 1) {
    assert.ok(testing.length >= 1, 'a long test reports how far it is');
    assert.ok(testing.every((m) => m.kind === 'evaluation' && m.total === 10000 && m.done > 0 && m.done < 10000));
  }
  // mistakes wait for nothing but their own pass, and pause answers meanwhile (a test set
  // loaded again: the worker holds no test's classes for it, so the mistakes need that pass)
  await w.loadMnist();
  since = w.messages.length;
  w.send({ type: 'mistakes', limit: 5 });
  const pauseSent = performance.now();
  w.send({ type: 'pause' });
  const paused = await w.waitFor('progress', undefined, 60000, since);
  const mistakes = await w.waitFor('mistakes', undefined, 120000, since);
  t.diagnostic(`pause answered after ${Math.round(paused.receivedAt - pauseSent)} ms, the mistakes after ${Math.round(mistakes.receivedAt - pauseSent)} ms`);
  assert.ok(paused.receivedAt < mistakes.receivedAt, 'pause did not wait for the classification');
  if (mistakes.receivedAt - pauseSent > 1000) { // (a pass reports how far it is after half a second)
    assert.ok(w.messages.slice(since).some((m) => m.type === 'testing' && m.kind === 'classification'), 'the mistakes made their own pass');
  }
  assert.equal(mistakes.items.length, 5);
  // a step's batch trains in slices too: a prediction sent after it is answered first
  since = w.messages.length;
  w.send({ type: 'step' });
  w.send({ type: 'predict', id: 'q', index: 8 });
  const stepped = await w.waitFor('paused', undefined, 120000, since);
  const q = await w.waitFor('prediction', (m) => m.id === 'q', 60000, since);
  assert.ok(q.receivedAt < stepped.receivedAt, 'the prediction did not wait for the batch');
  // a new network cancels a pass that answers a request: one error, then the new network
  since = w.messages.length;
  w.send({ type: 'evaluate' });
  w.send({ type: 'configure', config: { ...DEFAULT }, run: 2 });
  const cancelled = await w.waitFor('error', undefined, 60000, since);
  assert.equal(cancelled.request, 'evaluate');
  assert.match(cancelled.message, /cancelled: a new network replaced/);
  await w.waitFor('configured', undefined, 60000, since);
});
