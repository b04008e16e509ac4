'use strict';
/**
 * Requests matched by id, and refusals that change nothing (web/PROTOCOL.md "Request ids",
 * "A refusal changes nothing"): the page's client (web/js/client.js, driving the page's worker
 * in a Node worker thread) matches every answer to its request by `req`, whatever the stage,
 * and fails a request whose answer never comes; the worker answers a refused request with one
 * `error` and leaves the run, the network, the sets and the passes underway as they were.
 */

const assert = require('node:assert/strict');
const path = require('node:path');
const { test } = require('node:test');
const { Worker: ThreadWorker } = require('node:worker_threads');

const { ROOT, DEFAULT, mnistSet } = require('./helpers');
const { startWorker, loadAssets } = require('./worker-helpers');

const HANG_MS = 120000; // only detects a hang (a request that is never settled)

/** settles within HANG_MS, or rejects saying what hung */
function settled(promise, what) {
  let timer;
  return Promise.race([
    promise.then((value) => ({ ok: true, value }), (error) => ({ ok: false, error })),
    new Promise((resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what}: never settled`)), HANG_MS); }),
  ]).finally(() => clearTimeout(timer));
}

/** The browser's Worker, as client.js uses it, over a Node worker thread running the page's
 *  worker bundle. `muted`: messages to it are dropped (a worker that never answers). */
class PageWorker {
  constructor() {
    this.thread = new ThreadWorker(loadAssets().workerSource, { eval: true });
    this.listeners = { message: [], error: [], messageerror: [] };
    this.muted = false;
    this.thread.on('message', (data) => this.listeners.message.forEach((fn) => fn({ data })));
    this.thread.on('error', (e) => this.listeners.error.forEach((fn) => fn({ message: e.message, preventDefault() {} })));
  }

  addEventListener(type, fn) { this.listeners[type].push(fn); }

  postMessage(message, transfer) { if (!this.muted) this.thread.postMessage(message, transfer); }

  terminate() { this.terminated = true; this.thread.terminate(); }
}

test('client: every answer is matched to its request by id, whatever its stage; a request never answered fails after its bound', async (t) => {
  let pageWorker = null;
  globalThis.self = globalThis;
  globalThis.Worker = class extends PageWorker { constructor() { super(); pageWorker = this; } };
  if (!globalThis.navigator) globalThis.navigator = { hardwareConcurrency: 1 };
  const Client = await import('../web/js/client.js');
  t.after(() => pageWorker && pageWorker.thread.terminate());
  const fatal = [];
  const ready = await settled(Client.start(loadAssets(), (stage, message) => fatal.push(message)), 'init');
  assert.ok(ready.ok && ready.value.type === 'ready', 'the worker is ready');

  // A request answered by an error of stage 'train' (the client used to match only errors of
  // other stages, FIFO: such a request stayed first in line and every later answer went unclaimed).
  const step = await settled(Client.request({ type: 'step' }), 'step');
  assert.ok(!step.ok, 'a step before any network is refused');
  assert.deepEqual([step.error.stage, /configure a network first/.test(step.error.message)], ['train', true]);
  const predict = await settled(Client.request({ type: 'predict', id: 1, index: 0 }), 'predict');
  assert.equal(predict.ok ? null : predict.error.stage, 'inspect', 'an error of stage inspect reaches its request too');

  // The real sequence: data, a network, training; a step and a look inside while training, and
  // a new network that cancels what waits: each request gets its own answer, and the later ones theirs.
  for (const [set, prefix] of [['train', 'train'], ['test', 't10k']]) {
    const { images, labels } = mnistSet(prefix);
    const loaded = await settled(Client.request({ type: 'load', set, images, labels }, [images, labels]), `load ${set}`);
    assert.ok(loaded.ok && loaded.value.set === set, `${set} set loaded`);
  }
  const built = await settled(Client.build({ type: 'configure', config: { ...DEFAULT, epochs: 50 } }), 'configure');
  assert.ok(built.ok && built.value.type === 'configured');
  const training = new Promise((resolve) => Client.on('progress', (p) => { if (p.state === 'training') resolve(p); }));
  Client.post({ type: 'start' });
  await settled(training, 'training');
  const stepping = settled(Client.request({ type: 'step' }), 'step while training');
  const evaluating = settled(Client.request({ type: 'evaluate' }), 'evaluate');
  const reset = settled(Client.build({ type: 'reset' }), 'reset');
  const [stepped, evaluated, rebuilt] = await Promise.all([stepping, evaluating, reset]);
  for (const [name, r, reply] of [['step', stepped, 'paused'], ['evaluate', evaluated, 'evaluation']]) {
    // (answered before the reset, or cancelled by it: either way, its own answer)
    assert.ok(r.ok ? r.value.type === reply : r.error.stage === 'train' && /cancelled/.test(r.error.message), `${name}: ${r.ok ? r.value.type : r.error.message}`);
  }
  assert.ok(rebuilt.ok && rebuilt.value.type === 'configured', 'the reset after them is answered');
  const described = await settled(Client.request({ type: 'describe-arch', id: 'd', arch: '784-32-10' }), 'describe-arch');
  assert.ok(described.ok && described.value.ok && described.value.id === 'd', 'and so is the next request');

  // A request whose answer never comes fails, with a message, after its bound (shortened here).
  Client.setBounds(300, 300);
  pageWorker.muted = true;
  const lost = await settled(Client.request({ type: 'save-model' }), 'a request the worker never sees');
  pageWorker.muted = false;
  Client.setBounds(60000, 300000);
  assert.ok(!lost.ok && lost.error.stage === 'timeout', 'it fails');
  assert.match(lost.error.message, /did not answer "save-model" within/);
  const saved = await settled(Client.request({ type: 'save-model' }), 'save-model');
  assert.ok(saved.ok && saved.value.type === 'model', 'the next request is answered');
  assert.deepEqual(fatal, []);
});

/** The worker after init, data and a network; `since` the index of its next message. */
async function trainedWorker(t, config = { ...DEFAULT, epochs: 50 }) {
  const w = startWorker(t);
  const ready = await w.init(1);
  await w.loadMnist();
  const since = w.messages.length;
  w.send({ type: 'configure', config, run: 1 });
  await w.waitFor('configured', undefined, 60000, since);
  await w.waitFor('predictions', undefined, 60000, since);
  return { w, rules: ready.rules };
}

/** Starts training; resolves once it reports progress. */
async function train(w) {
  const since = w.messages.length;
  w.send({ type: 'start' });
  await w.waitFor('progress', (m) => m.state === 'training' && m.samples > 0, 60000, since);
}

/** The next progress while training, after `since`: still training, same run, further on. */
const goesOn = (w, since, after) => w.waitFor('progress', (m) => m.samples > after.samples, 60000, since);

test('client: a threaded worker that never says ready is ended, and one thread starts instead', async (t) => {
  const workers = [];
  globalThis.self = globalThis;
  globalThis.Worker = class extends PageWorker { constructor() { super(); workers.push(this); this.muted = workers.length === 1; } };
  const saved = { navigator: globalThis.navigator, isolated: globalThis.crossOriginIsolated };
  Object.defineProperty(globalThis, 'navigator', { value: { hardwareConcurrency: 2 }, configurable: true, writable: true });
  globalThis.crossOriginIsolated = true; // as a served page: threads are offered
  t.after(() => {
    workers.forEach((w) => w.thread.terminate());
    Object.defineProperty(globalThis, 'navigator', { value: saved.navigator, configurable: true, writable: true });
    globalThis.crossOriginIsolated = saved.isolated;
  });
  const Client = await import('../web/js/client.js?a-second-client'); // its own module state
  Client.setBounds(60000, 300000, 500);
  const assets = loadAssets();
  assert.ok(assets.wasmThreadsBase64, 'the bundle carries the threaded module');
  const ready = await settled(Client.start(assets, () => {}), 'init');
  assert.ok(ready.ok, ready.ok ? '' : ready.error.message);
  assert.equal(workers[0].terminated, true, 'the silent threaded worker was ended');
  assert.equal(ready.value.threads, 1);
  assert.match(ready.value.threadError, /did not answer within 0\.5 s: one thread instead/);
  const described = await settled(Client.request({ type: 'describe-arch', id: 'd', arch: '784-32-10' }), 'describe-arch');
  assert.ok(described.ok && described.value.ok, 'the worker that took over answers');
});

test('refusals change nothing: a model file that is not one, while training, leaves the run training', async (t) => {
  const { w, rules } = await trainedWorker(t);
  await train(w);
  for (const bytes of [new ArrayBuffer(40), new TextEncoder().encode('MNISTNET and then nothing').buffer, new ArrayBuffer(rules.maxFileBytes + 1)]) {
    const since = w.messages.length;
    const before = await w.waitFor('progress', undefined, 60000, since);
    w.send({ type: 'load-model', bytes, run: 2, req: 40 }, [bytes]);
    const error = await w.waitFor('error', undefined, 60000, since);
    assert.deepEqual([error.request, error.stage, error.req], ['load-model', 'model', 40], error.message);
    const after = await goesOn(w, w.messages.length, before);
    assert.deepEqual([after.state, after.run], ['training', 1], 'still training, the same run');
    const got = w.messages.slice(since);
    assert.deepEqual(got.filter((m) => m.type !== 'progress' && m.type !== 'evaluation' && m.type !== 'predictions'
      && m.type !== 'epoch-end' && m.type !== 'testing').map((m) => m.type), ['error'], 'no paused, nothing else');
    assert.ok(got.every((m) => m.run === undefined || m.run === 1));
  }
  // the file over the core's cap was refused before it was copied into the module
  const over = w.messages.filter((m) => m.type === 'error' && m.field === 'bytes');
  assert.equal(over.length, 1);
  assert.match(over[0].message, new RegExp(`at most ${rules.maxFileBytes} bytes`));
});

test('refusals change nothing: step while training gets one paused; a refused test set leaves a waiting evaluate alone', async (t) => {
  const { w } = await trainedWorker(t);
  await train(w);
  let since = w.messages.length;
  w.send({ type: 'step', req: 7 });
  const answer = await w.waitFor('paused', undefined, 60000, since);
  assert.equal(answer.req, 7, 'the paused that answers the step');
  await w.waitFor('predictions', undefined, 60000, since); // (the step's test)
  assert.equal(w.messages.slice(since).filter((m) => m.type === 'paused').length, 1, 'one paused');

  since = w.messages.length;
  w.send({ type: 'evaluate', req: 8 });
  const images = new Uint8Array(16).buffer, labels = new Uint8Array(8).buffer;
  w.send({ type: 'load', set: 'test', images, labels, req: 9 }, [images, labels]);
  const refused = await w.waitFor('error', undefined, 60000, since);
  assert.deepEqual([refused.request, refused.stage, refused.req], ['load', 'data', 9], refused.message);
  const evaluation = await w.waitFor('evaluation', (m) => m.req === 8, 60000, since);
  assert.equal(evaluation.samples > 0 && evaluation.testAccuracy > 0.5, true, 'the evaluate is answered, on the test set still in place');
  assert.equal(w.messages.slice(since).filter((m) => m.type === 'error').length, 1, 'only the load was refused');
});

test('load with check: files the worker would take or refuse, while training, change nothing in place', async (t) => {
  const { w } = await trainedWorker(t);
  await train(w);
  const set = mnistSet('test');
  const copy = (bytes, n) => new Uint8Array(bytes).slice(0, n).buffer;
  const cases = [
    { images: copy(set.images), labels: copy(set.labels), taken: true },
    { images: copy(set.images), labels: copy(set.labels, 100), taken: false }, // the counts disagree
  ];
  for (const [k, c] of cases.entries()) {
    const since = w.messages.length;
    const before = await w.waitFor('progress', undefined, 60000, since);
    w.send({ type: 'load', set: 'test', check: true, images: c.images, labels: c.labels, req: 50 + k }, [c.images, c.labels]);
    const answer = await w.waitFor(c.taken ? 'loaded' : 'error', (m) => m.req === 50 + k, 60000, since);
    if (c.taken) assert.deepEqual([answer.set, answer.checked, answer.count], ['test', true, undefined]);
    else assert.deepEqual([answer.request, answer.stage], ['load', 'data'], answer.message);
    const after = await goesOn(w, w.messages.length, before);
    assert.deepEqual([after.state, after.run], ['training', 1], 'still training, the same run');
    const others = w.messages.slice(since).filter((m) => !['progress', 'evaluation', 'predictions', 'epoch-end', 'testing'].includes(m.type));
    assert.deepEqual(others.map((m) => m.type), [c.taken ? 'loaded' : 'error'], 'one answer, nothing else');
  }
  // the sets in place are the ones loaded before: an evaluation runs over all 10,000 test images
  const since = w.messages.length;
  w.send({ type: 'evaluate', req: 60 });
  const evaluation = await w.waitFor('evaluation', (m) => m.req === 60, 60000, since);
  assert.equal(evaluation.confusion.flat().reduce((a, b) => a + b, 0), 10000);
});

test('refusals change nothing: unknown keys, odd objects, control characters and over-long texts in settings', async (t) => {
  const { w, rules } = await trainedWorker(t);
  let since = w.messages.length;
  w.send({ type: 'save-model' });
  const baseline = Buffer.from((await w.waitFor('model', undefined, 60000, since)).bytes);
  const cases = [
    [{ type: 'configure', config: { ...DEFAULT, bogus: 1 } }, 'bogus'],
    [{ type: 'set-hyper', hyper: { bogus: 1 } }, 'bogus'],
    [{ type: 'configure', config: new Date() }, 'config'],
    [{ type: 'set-hyper', hyper: new Date() }, 'hyper'],
    [{ type: 'set-hyper', hyper: new Map([['lr', 0.5]]) }, 'hyper'],
    [{ type: 'set-hyper', hyper: new SharedArrayBuffer(8) }, 'hyper'],
    [{ type: 'set-hyper', hyper: new Float64Array([0.5]) }, 'hyper'],
    [{ type: 'configure', config: { ...DEFAULT, arch: '784-10\u0000-10' } }, 'arch'],
    [{ type: 'configure', config: { ...DEFAULT, optimizer: 'adam\u0000x' } }, 'optimizer'],
    [{ type: 'set-hyper', hyper: { optimizer: 'adam\u0000x' } }, 'optimizer'],
    [{ type: 'set-hyper', hyper: { optimizer: 'adam\n' } }, 'optimizer'],
    [{ type: 'configure', config: { ...DEFAULT, arch: `784-${'1'.repeat(50 << 20)}-10` } }, 'arch'],
    [{ type: 'configure', config: { ...DEFAULT, arch: `784-${'1'.repeat(rules.maxText)}` } }, 'arch'],
    [{ type: 'describe-arch', id: 1, arch: '784-10\u0000-10' }, 'arch'],
    [{ type: 'predict', id: 'a\u0007', index: 1 }, 'id'],
  ];
  for (const [message, field] of cases) {
    since = w.messages.length;
    w.send({ ...message, req: 11 });
    w.send({ type: 'pause', req: 12 }); // (not training: answered by the progress as it stands)
    const progress = await w.waitFor('progress', (m) => m.req === 12, 60000, since);
    const got = w.messages.slice(since);
    assert.deepEqual(got.map((m) => m.type), ['error', 'progress'], `${message.type} ${field}: one error, nothing else`);
    assert.deepEqual([got[0].field, got[0].req, got[0].request], [field, 11, message.type], got[0].message);
    assert.deepEqual([progress.state, progress.run, progress.samples], ['idle', 1, 0]);
  }
  since = w.messages.length;
  w.send({ type: 'save-model' });
  const after = Buffer.from((await w.waitFor('model', undefined, 60000, since)).bytes);
  assert.ok(after.equals(baseline), 'the same network, bit for bit');
  since = w.messages.length;
  w.send({ type: 'set-hyper', hyper: {} });
  assert.deepEqual((await w.waitFor('hyper', undefined, 60000, since)).hyper.optimizer, DEFAULT.optimizer || 'sgd');
});
