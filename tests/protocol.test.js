'use strict';
/**
 * The worker's message protocol (web/PROTOCOL.md, common/protocol.js), run from the very
 * source the page uses (web/build/assets.js's workerSource) in a Node worker thread.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const {
  BIN, ROOT, MNIST_DIR, runBinary, tempDir, ownBuffer, mnistSet, DEFAULT, engineWithMnist,
} = require('./helpers');
const { startWorker } = require('./worker-helpers');
const { carriesRun } = require('../common/protocol.js');

test('worker: init, load, configure, train with live progress, pause/resume, done', async (t) => {
  const w = startWorker(t);
  const ready = await w.init(2);
  assert.equal(ready.simd, true);
  assert.equal(ready.threads, 2, `threads did not start: ${ready.threadError}`);
  await w.loadMnist();

  let since = w.messages.length;
  w.send({ type: 'configure', config: { ...DEFAULT, epochs: 1, iterations: 0 } });
  const configured = await w.waitFor('configured', undefined, 60000, since);
  assert.equal(configured.parameters, 101770);
  const firstPredictions = await w.waitFor('predictions', undefined, 60000, since);
  assert.equal(firstPredictions.indices.length, 24);
  assert.equal(firstPredictions.images.length, 24 * 784);
  assert.equal(firstPredictions.labels.length, 24);

  since = w.messages.length;
  const startedAt = performance.now();
  w.send({ type: 'start' });
  await w.waitFor('progress', (m) => m.state === 'training' && m.samples > 5000, 60000, since);
  const pauseSentAt = performance.now();
  w.send({ type: 'pause' });
  const paused = await w.waitFor('paused', undefined, 60000, since);
  const pauseLatency = paused.receivedAt - pauseSentAt;
  const progress = w.messages.slice(since).filter((m) => m.type === 'progress' && m.state === 'training');
  // the worker's own clock (elapsed: seconds of the run's slices), so a busy machine, which
  // slows the slices and this thread alike, does not move the figure
  const gaps = progress.slice(1).map((m, i) => m.elapsed - progress[i].elapsed).sort((a, b) => a - b);
  const medianGap = gaps[Math.floor(gaps.length / 2)];
  t.diagnostic(`pause answered in ${pauseLatency.toFixed(0)} ms; progress every ${(medianGap * 1000).toFixed(0)} ms of the run (median)`);
  // a progress report after at most ~200 ms of slices of 40 ms: at least ~4 a second of the run
  assert.ok(medianGap < 0.4, `progress every ${medianGap} s of the run (median)`);
  const pausedProgress = w.messages.slice(since).filter((m) => m.type === 'progress').pop();
  assert.equal(pausedProgress.state, 'paused');
  const samplesAtPause = pausedProgress.samples;
  // pause stops the run where it is: in the middle of the epoch, not at its end
  assert.ok(samplesAtPause > 5000 && samplesAtPause < 60000, `paused at ${samplesAtPause} samples`);

  // nothing trains while paused
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!w.messages.slice(w.messages.indexOf(paused)).some((m) => m.type === 'progress' && m.samples > samplesAtPause));

  since = w.messages.length;
  w.send({ type: 'resume' });
  const done = await w.waitFor('done', undefined, 120000, since);
  assert.equal(done.reason, 'epochs');
  assert.ok(done.testAccuracy > 0.95, `one epoch of the default preset: ${done.testAccuracy}`);
  const epochEnd = w.messages.find((m) => m.type === 'epoch-end');
  assert.equal(epochEnd.epoch, 1);
  const evaluation = w.messages.filter((m) => m.type === 'evaluation').pop();
  assert.equal(evaluation.testAccuracy, done.testAccuracy);
  assert.equal(evaluation.confusion.flat().reduce((a, b) => a + b, 0), 10000);
  const last = w.messages.filter((m) => m.type === 'progress').pop();
  assert.equal(last.state, 'done');
  assert.ok(progress.every((m) => m.threads === 1 || m.threads === 2), 'progress says how many threads compute');
  assert.equal(last.samples, 60000);
  t.diagnostic(`1 epoch in ${((performance.now() - startedAt) / 1000).toFixed(1)} s wall (incl. the pause), ${Math.round(progress.pop().samplesPerSecond)} samples/s`);

  // the same seed and data give the same result as the engine directly
  const engine = await engineWithMnist();
  engine.init(DEFAULT);
  let p;
  do p = engine.step(60000); while (!p.epochEnded);
  assert.equal(engine.evaluate('test', 0, 10000, { reset: true }).accuracy, done.testAccuracy);
});

test('worker: step, set-hyper, predict, reset, and errors for bad messages', async (t) => {
  const w = startWorker(t);
  let since = w.messages.length;
  w.send({ type: 'start' });
  const notReady = await w.waitFor('error', undefined, 5000, since);
  assert.match(notReady.message, /send init first/);
  await w.init();

  since = w.messages.length;
  const bad = ownBuffer(Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 0]));
  w.send({ type: 'load', set: 'train', images: ownBuffer(Buffer.alloc(20)), labels: bad, names: { images: 'broken.gz', labels: 'l.gz' } });
  const dataError = await w.waitFor('error', undefined, 5000, since);
  assert.equal(dataError.stage, 'data');
  assert.match(dataError.message, /broken\.gz: not an IDX image file/);
  await w.loadMnist();

  since = w.messages.length;
  w.send({ type: 'configure', config: { ...DEFAULT, lr: -1, epochs: 1 } });
  const configError = await w.waitFor('error', undefined, 5000, since);
  assert.equal(configError.stage, 'config');
  assert.equal(configError.field, 'lr');
  assert.match(configError.message, /learning rate/);

  // Train, then Pause at once: the start waits for the new network's test, and the pause
  // waits behind it, so it pauses the training that start begins (not an idle worker)
  since = w.messages.length;
  w.send({ type: 'configure', config: { ...DEFAULT, epochs: 2 } });
  w.send({ type: 'start' });
  w.send({ type: 'pause' });
  await w.waitFor('paused', undefined, 60000, since);
  assert.ok(!w.messages.slice(since).some((m) => m.type === 'done'), 'the pause stopped the run');

  since = w.messages.length;
  w.send({ type: 'configure', config: { ...DEFAULT, epochs: 2 } });
  await w.waitFor('configured', undefined, 60000, since);

  since = w.messages.length;
  w.send({ type: 'step' });
  await w.waitFor('paused', undefined, 60000, since);
  const stepped = w.messages.slice(since).filter((m) => m.type === 'progress').pop();
  assert.equal(stepped.iterations, 1);
  assert.equal(stepped.samples, 64);
  w.send({ type: 'step' });
  await w.waitFor('progress', (m) => m.iterations === 2, 60000, since);

  since = w.messages.length;
  w.send({ type: 'set-hyper', hyper: { lr: 0.05, batch: 32 } });
  const hyper = await w.waitFor('hyper', undefined, 5000, since);
  assert.deepEqual(hyper.hyper, { batch: 32, lr: 0.05, momentum: 0.9, weightDecay: 0, lrDecay: 0.3, epochs: 2, iterations: 0,
    optimizer: 'sgd', schedule: 'step', beta1: 0.9, beta2: 0.999, eps: 1e-8, shift: 0, rotate: 0, scale: 0 });
  // epochs moves the run's target (a loaded model trains on with the page's settings)
  w.send({ type: 'set-hyper', hyper: { epochs: 3 } });
  assert.equal((await w.waitFor('hyper', (m) => m.hyper.epochs === 3, 5000, since)).hyper.epochs, 3);
  w.send({ type: 'set-hyper', hyper: { epochs: 0 } });
  const epochsError = await w.waitFor('error', undefined, 5000, since);
  assert.equal(epochsError.field, 'epochs');
  assert.match(epochsError.message, /epochs/);
  since = w.messages.length;
  w.send({ type: 'set-hyper', hyper: { momentum: 2 } });
  const hyperError = await w.waitFor('error', undefined, 5000, since);
  assert.equal(hyperError.stage, 'config');
  assert.equal(hyperError.field, 'momentum');
  assert.match(hyperError.message, /momentum/);
  w.send({ type: 'step' });
  await w.waitFor('progress', (m) => m.iterations === 3 && m.samples === 160 && m.epochs === 3, 60000, since);

  since = w.messages.length;
  w.send({ type: 'predict', id: 'a', index: 0 });
  const byIndex = await w.waitFor('prediction', (m) => m.id === 'a', 5000, since);
  assert.equal(byIndex.label, 7);
  assert.equal(byIndex.probabilities.length, 10);
  w.send({ type: 'predict', id: 'b', pixels: new Float32Array(784) });
  const drawn = await w.waitFor('prediction', (m) => m.id === 'b', 5000, since);
  assert.equal(drawn.label, null);
  assert.ok(drawn.predicted >= 0 && drawn.predicted <= 9);

  since = w.messages.length;
  w.send({ type: 'reset' });
  await w.waitFor('configured', undefined, 5000, since);
  const zero = await w.waitFor('progress', undefined, 5000, since);
  assert.equal(zero.samples, 0);
  assert.equal(zero.state, 'idle');

  since = w.messages.length;
  w.send({ type: 'fly' });
  const unknown = await w.waitFor('error', undefined, 5000, since);
  assert.match(unknown.message, /unknown request type "fly"/);
});

test('worker: run ids mark every message about a network; ready carries the core\'s rules', async (t) => {
  const w = startWorker(t);
  const ready = await w.init();
  assert.deepEqual(Object.keys(ready.rules.presets), ['seed', 'default', 'wide', 'cnn', 'cnn-best']);
  assert.deepEqual(ready.rules.presets.default.arch, '784-128-10');
  assert.equal(ready.rules.limits.lr.max, 100);
  await w.loadMnist();

  let since = w.messages.length;
  w.send({ type: 'configure', config: { ...DEFAULT, epochs: 1 }, run: 7 });
  await w.waitFor('predictions', undefined, 60000, since);
  w.send({ type: 'start' });
  await w.waitFor('evaluation', (m) => m.samples > 0, 60000, since);
  // a new network while the old one trains: from its `configured` on, only run 8
  w.send({ type: 'reset', run: 8 });
  const configured = await w.waitFor('configured', (m) => m.run === 8, 60000, since);
  const before = w.messages.slice(since, w.messages.indexOf(configured));
  assert.ok(before.some((m) => m.type === 'progress' && m.state === 'training'), 'run 7 trained');
  assert.ok(before.filter(carriesRun).every((m) => m.run === 7), 'run 7 messages say so');
  w.send({ type: 'set-hyper', hyper: { lr: 0.05 } });
  const hyper = await w.waitFor('hyper', undefined, 5000, since);
  for (const [type, request] of [['prediction', { type: 'predict', id: 'r', index: 3 }], ['mistakes', { type: 'mistakes', limit: 2 }],
    ['cell', { type: 'cell', label: 1, predicted: 1, limit: 2 }], ['weights', { type: 'weights', units: 2 }], ['model', { type: 'save-model' }]]) {
    w.send(request);
    assert.equal((await w.waitFor(type, undefined, 10000, since)).run, 8, `${type} carries the run`);
  }
  w.send({ type: 'start' });
  await w.waitFor('done', undefined, 120000, since);
  const after = w.messages.slice(w.messages.indexOf(configured));
  assert.ok(after.filter(carriesRun).every((m) => m.run === 8), 'nothing of run 7 after run 8 began');
  assert.equal(hyper.run, 8);

  // without a run id the worker counts on from the last one
  since = w.messages.length;
  w.send({ type: 'reset' });
  assert.equal((await w.waitFor('configured', undefined, 60000, since)).run, 9);
});

test('worker: a preset with convolutions (cnn, as the rules give it) trains; a bad architecture text or an unknown key names the field', async (t) => {
  const w = startWorker(t);
  const ready = await w.init();
  await w.loadMnist();
  let since = w.messages.length;
  w.send({ type: 'configure', config: { ...ready.rules.presets.cnn, arch: '784-c16k30-10' }, run: 1 });
  const error = await w.waitFor('error', undefined, 10000, since);
  assert.deepEqual([error.stage, error.field], ['config', 'arch']);
  assert.match(error.message, /784-c16k30-10: the input image is 28×28, too small for a 30×30 convolution/);
  // a key that is no setting of the core's table is refused, named (a preset's own words are not keys)
  since = w.messages.length;
  w.send({ type: 'configure', config: { ...ready.rules.presets.cnn, preset: 'cnn' }, run: 2 });
  const unknown = await w.waitFor('error', undefined, 10000, since);
  assert.deepEqual([unknown.stage, unknown.request, unknown.field], ['config', 'configure', 'preset']);
  assert.match(unknown.message, /unknown setting "preset"/);
  since = w.messages.length;
  w.send({ type: 'configure', config: { ...ready.rules.presets.cnn }, run: 2 });
  const configured = await w.waitFor('configured', undefined, 120000, since);
  assert.deepEqual([configured.archText, configured.parameters, configured.config.arch, configured.config.optimizer],
    ['784-c16k3-p2-c32k3-p2-64-10', 56714, '784-c16k3-p2-c32k3-p2-64-10', 'adam']);
  w.send({ type: 'step' });
  await w.waitFor('paused', undefined, 120000, since);
  const p = w.messages.filter((m) => m.type === 'progress').pop();
  assert.equal(p.iterations, 1);
  assert.ok(p.lr > 0 && p.lr < 0.01, `one-cycle starts below its peak: ${p.lr}`);
  w.send({ type: 'weights' });
  const weights = await w.waitFor('weights', undefined, 10000, since);
  // a convolution's filters: 16 of 3x3, the first 144 parameters (O x K x K x 1)
  assert.deepEqual([weights.kind, weights.units, weights.h, weights.w, weights.values.length], ['conv', 16, 3, 3, 144]);
});

test('worker with a tester beside it (one thread): the tests while training run there, on snapshots, with the same results', async (t) => {
  const w = startWorker(t, { tester: true });
  const ready = await w.init(1);
  assert.equal(ready.threads, 1);
  await w.loadMnist();
  let since = w.messages.length;
  w.send({ type: 'configure', config: { ...DEFAULT, epochs: 2 }, run: 1 });
  await w.waitFor('configured', undefined, 60000, since);
  since = w.messages.length;
  w.send({ type: 'start' });
  const done = await w.waitFor('done', undefined, 300000, since);
  const run = w.messages.slice(since);
  const evaluations = run.filter((m) => m.type === 'evaluation' && m.samples > 0);
  const rows = run.filter((m) => m.type === 'epoch-end');
  t.diagnostic(`${evaluations.length} tests in the background, ${evaluations.map((m) => m.seconds.toFixed(2)).join(' ')} s`);
  assert.ok(evaluations.length >= 2 && evaluations.every((m) => m.background === true), 'every test while training ran in the tester');
  assert.deepEqual(rows.map((m) => m.epoch), [1, 2]);
  assert.ok(run.indexOf(rows[1]) < run.indexOf(done), 'the last epoch\'s row comes before done');
  assert.ok(evaluations.every((m, i) => i === 0 || m.samples >= evaluations[i - 1].samples), 'in order');
  // each epoch's test is of the network as it was at that epoch's end: the engine's own, bit for bit
  const engine = await engineWithMnist();
  engine.init({ ...DEFAULT, epochs: 2 });
  for (const row of rows) {
    let p;
    do p = engine.step(60000); while (!p.epochEnded);
    assert.equal(row.testAccuracy, engine.evaluate('test').accuracy, `epoch ${row.epoch}`);
  }
  assert.equal(done.testAccuracy, rows[1].testAccuracy);

  // while paused, a step tests here, at once
  since = w.messages.length;
  w.send({ type: 'reset', run: 2 });
  await w.waitFor('configured', undefined, 60000, since);
  w.send({ type: 'step' });
  const stepped = await w.waitFor('evaluation', (m) => m.samples > 0, 60000, since);
  assert.equal(stepped.background, false);
});

test('worker whose tester stops answering: the run still ends, tested by the worker itself', async (t) => {
  const w = startWorker(t, { tester: true });
  await w.init(1);
  await w.loadMnist();
  let since = w.messages.length;
  // 3 epochs: the tester stops long before the run's last test (on a quiet machine one epoch takes about a second)
  w.send({ type: 'configure', config: { ...DEFAULT, epochs: 3 }, run: 1 });
  await w.waitFor('configured', undefined, 60000, since);
  since = w.messages.length;
  w.send({ type: 'start' });
  const first = await w.waitFor('evaluation', (m) => m.background === true, 60000, since);
  assert.ok(first.samples < 180000, 'the tester answered before the end of the run');
  await w.stopTester();
  const done = await w.waitFor('done', undefined, 120000, since);
  const last = w.messages.slice(since).filter((m) => m.type === 'evaluation').pop();
  assert.equal(last.background, false);
  assert.equal(last.samples, 180000);
  assert.equal(done.testAccuracy, last.testAccuracy);
});

test('worker: on a longer CNN run the time left stays right and test evaluations take a bounded share', async (t) => {
  const w = startWorker(t);
  const ready = await w.init(2);
  await w.loadMnist();
  let since = w.messages.length;
  w.send({ type: 'configure', config: { ...ready.rules.presets.cnn, epochs: 2 }, run: 1 });
  await w.waitFor('configured', undefined, 120000, since);
  since = w.messages.length;
  const startedAt = performance.now();
  w.send({ type: 'start' });
  const done = await w.waitFor('done', undefined, 600000, since);
  const doneAt = done.receivedAt;
  const run = w.messages.slice(since);
  const evaluations = run.filter((m) => m.type === 'evaluation');
  const evalSeconds = evaluations.reduce((sum, m) => sum + m.seconds, 0);
  const wallSeconds = (doneAt - startedAt) / 1000;
  // the time left said at 25%, 50% and 75% of the run against the time it really took
  const progress = run.filter((m) => m.type === 'progress' && m.state === 'training' && m.eta != null);
  const errors = [0.25, 0.5, 0.75].map((f) => {
    const m = progress.find((x) => x.samples >= f * 120000);
    const actual = (doneAt - m.receivedAt) / 1000;
    return { at: f, said: m.eta, actual, error: (m.eta - actual) / actual };
  });
  t.diagnostic(`2 epochs of cnn in ${wallSeconds.toFixed(1)} s; ${evaluations.length} test evaluations took ` +
    `${evalSeconds.toFixed(2)} s (${(100 * evalSeconds / wallSeconds).toFixed(0)}%), the longest ` +
    `${Math.max(...evaluations.map((m) => m.seconds)).toFixed(2)} s; time left said / taken: ` +
    errors.map((e) => `${e.said.toFixed(1)} / ${e.actual.toFixed(1)} s at ${e.at * 100}%`).join(', '));
  t.diagnostic(`evaluations: ${evaluations.map((m) => `${m.epochFloat.toFixed(2)}: ${m.seconds.toFixed(2)} s`).join(", ")}; threads: ${[...new Set(progress.map((m) => m.threads))]}; speed ${progress.filter((m, i) => i % 10 === 0).map((m) => Math.round(m.samplesPerSecond)).join(" ")}`);
  assert.ok(evaluations.every((m) => m.seconds > 0 && m.confusion.flat().reduce((a, b) => a + b, 0) === 10000));
  // The design: periodic evaluations take at most their share of the time (test-policy.js: 5% with
  // the preset's target, 15% without), plus one per epoch end.
  // Generous bounds: other programs share the cores.
  assert.ok(evalSeconds < 0.35 * wallSeconds, `evaluations took ${evalSeconds} s of ${wallSeconds} s`);
  // Halfway, the time left is the rest of the run at the pace so far, the tests included: the
  // samples left over samples per second of the run (the worker's own clock, elapsed), within a
  // factor of 2 (its pace is over the last 10 s, this one over the whole run): catches a time
  // left that ignores the tests or counts them twice. Against the wall clock it would be a
  // bet on the machine's load staying the same.
  const half = progress.find((x) => x.samples >= 0.5 * 120000);
  const atPace = (120000 - half.samples) * half.elapsed / half.samples;
  assert.ok(half.eta > atPace / 2 && half.eta < atPace * 2, `time left at 50%: said ${half.eta} s, at the run's pace ${atPace} s`);
});

test('worker: divergence stops training and names the learning rate', async (t) => {
  const w = startWorker(t);
  await w.init();
  await w.loadMnist();
  const since = w.messages.length;
  w.send({ type: 'configure', config: { ...DEFAULT, arch: [784, 64, 64, 64, 64, 10], lr: 100, momentum: 0.99, epochs: 1 } });
  await w.waitFor('configured', undefined, 60000, since);
  w.send({ type: 'start' });
  const diverged = await w.waitFor('diverged', undefined, 60000, since);
  assert.equal(diverged.lr, 100);
  assert.match(diverged.message, /learning rate 100/);
  const last = await w.waitFor('progress', (m) => m.state === 'diverged', 5000, since);
  assert.ok(last.iterations < 50);
});

test('worker: while training, the galleries are the last test\'s (its confusion matrix counts them), without a second pass', async (t) => {
  const w = startWorker(t);
  await w.init();
  await w.loadMnist();
  let since = w.messages.length;
  // (epochs enough that the run still trains when it is paused below)
  w.send({ type: 'configure', config: { ...DEFAULT, epochs: 20 } });
  await w.waitFor('configured', undefined, 60000, since);
  since = w.messages.length;
  w.send({ type: 'start' });
  const epochEnd = await w.waitFor('evaluation', (m) => m.samples >= 60000, 120000, since);
  // the network trains on past the test before the galleries are asked for
  await w.waitFor('progress', (m) => m.samples >= epochEnd.samples + 3000, 60000, since);
  w.send({ type: 'mistakes', limit: 5 });
  w.send({ type: 'cell', label: 4, predicted: 9, limit: 5 });
  const mistakes = await w.waitFor('mistakes', undefined, 30000, since);
  const cell = await w.waitFor('cell', undefined, 30000, since);
  const tests = w.messages.slice(since).filter((m) => m.type === 'evaluation');
  const last = tests[tests.length - 1];
  const wrong = last.confusion.reduce((sum, row, label) => sum + row.reduce((s2, n, guess) => s2 + (guess === label ? 0 : n), 0), 0);
  assert.equal(mistakes.total, wrong);
  assert.equal(cell.total, last.confusion[4][9]);
  assert.ok(!w.messages.slice(since).some((m) => m.type === 'testing' && m.kind === 'classification'), 'no pass over the test set for them');
  // paused after more training, the network is not the one tested: its own pass
  w.send({ type: 'pause' });
  await w.waitFor('paused', undefined, 30000, since);
  const progress = w.messages.filter((m) => m.type === 'progress').pop();
  if (progress.samples > last.samples) {
    since = w.messages.length;
    w.send({ type: 'evaluate' });
    const fresh = await w.waitFor('evaluation', undefined, 30000, since);
    w.send({ type: 'mistakes', limit: 5 });
    const after = await w.waitFor('mistakes', undefined, 30000, since);
    assert.equal(after.total, Math.round(10000 * (1 - fresh.testAccuracy)));
  }
});

test('worker: activations, mistakes, first-layer weights, and models to and from the native trainer', async (t) => {
  const dir = tempDir(t);
  const w = startWorker(t);
  await w.init();
  await w.loadMnist();
  let since = w.messages.length;
  w.send({ type: 'configure', config: { ...DEFAULT, epochs: 1 } });
  await w.waitFor('configured', undefined, 60000, since);
  w.send({ type: 'step' });
  await w.waitFor('paused', undefined, 60000, since);
  // the step's test follows its reply
  const evaluation = await w.waitFor('evaluation', (m) => m.samples === 64, 60000, since);

  since = w.messages.length;
  w.send({ type: 'predict', id: 'x', index: 3 });
  const p = await w.waitFor('prediction', (m) => m.id === 'x', 5000, since);
  assert.deepEqual(p.activations.map((a) => a.length), [128, 10]);
  assert.deepEqual(p.activations[1], p.probabilities);
  assert.ok(p.activations[0].every((v) => v >= 0), 'hidden activations are ReLU outputs');

  w.send({ type: 'mistakes', limit: 20 });
  const mistakes = await w.waitFor('mistakes', undefined, 10000, since);
  assert.equal(mistakes.total, Math.round(10000 * (1 - evaluation.testAccuracy)));
  assert.equal(mistakes.items.length, 20);
  assert.equal(mistakes.images.length, 20 * 784);
  for (let k = 1; k < mistakes.items.length; k++) assert.ok(mistakes.items[k - 1].confidence >= mistakes.items[k].confidence);
  assert.ok(mistakes.items.every((m) => m.label !== m.predicted));
  w.send({ type: 'mistakes', limit: 20, order: 'least' });
  const least = await w.waitFor('mistakes', (m) => m.order === 'least', 10000, since);
  assert.equal(least.total, mistakes.total);
  for (let k = 1; k < least.items.length; k++) assert.ok(least.items[k - 1].confidence <= least.items[k].confidence);
  assert.ok(least.items[0].confidence <= mistakes.items[19].confidence, 'the least confident of all, not the 20 most reversed');

  // a confusion-matrix cell: its count is the evaluation's, its images are that (label, predicted) pair
  for (const [label, predicted] of [[4, 9], [7, 7]]) {
    w.send({ type: 'cell', label, predicted, limit: 30 });
    const cell = await w.waitFor('cell', (m) => m.label === label && m.predicted === predicted, 10000, since);
    assert.equal(cell.total, evaluation.confusion[label][predicted]);
    assert.equal(cell.items.length, Math.min(30, cell.total));
    assert.equal(cell.images.length, cell.items.length * 784);
    assert.ok(cell.items.every((m) => m.label === label && m.predicted === predicted));
  }
  w.send({ type: 'cell', label: 10, predicted: 1 });
  const badCell = await w.waitFor('error', undefined, 5000, since);
  assert.match(badCell.message, /`label` must be a whole number from 0 to 9, not 10/);

  w.send({ type: 'weights', units: 64 });
  const weights = await w.waitFor('weights', undefined, 5000, since);
  assert.equal(weights.units, 64);
  assert.equal(weights.values.length, 64 * 784);

  // page -> native: the worker's model file evaluates the same in build/mnist
  w.send({ type: 'save-model' });
  const model = await w.waitFor('model', undefined, 5000, since);
  const pageModel = path.join(dir, 'page.model');
  fs.writeFileSync(pageModel, model.bytes);
  const evalNative = runBinary(BIN.mnist, ['eval', '--data', MNIST_DIR, '--model', pageModel]);
  assert.equal(evalNative.status, 0, evalNative.stderr);
  assert.equal(evalNative.json.test_accuracy.toFixed(4), evaluation.testAccuracy.toFixed(4));

  // native -> page: a model trained by the CLI loads in the worker and scores the same
  const nativeModel = path.join(dir, 'native.model');
  const trained = runBinary(BIN.mnist, ['train', '--data', MNIST_DIR, '--arch', '784-32-10', '--iterations', '200', '--save', nativeModel]);
  assert.equal(trained.status, 0, trained.stderr);
  since = w.messages.length;
  const bytes = ownBuffer(fs.readFileSync(nativeModel));
  w.send({ type: 'load-model', bytes }, [bytes]);
  const loaded = await w.waitFor('configured', undefined, 10000, since);
  assert.equal(loaded.loaded, true);
  assert.deepEqual([loaded.arch, loaded.archText, loaded.config.arch], [[784, 32, 10], '784-32-10', '784-32-10']);
  const loadedEval = await w.waitFor('evaluation', undefined, 10000, since);
  assert.equal(loadedEval.testAccuracy.toFixed(4), trained.json.test_accuracy.toFixed(4));

  // a corrupt model changes nothing
  since = w.messages.length;
  const corrupt = Buffer.from(fs.readFileSync(nativeModel));
  corrupt[200] ^= 1;
  w.send({ type: 'load-model', bytes: ownBuffer(corrupt) });
  const error = await w.waitFor('error', undefined, 5000, since);
  assert.equal(error.stage, 'model');
  assert.match(error.message, /checksum mismatch/);
  w.send({ type: 'evaluate' });
  const after = await w.waitFor('evaluation', undefined, 10000, since);
  assert.equal(after.testAccuracy, loadedEval.testAccuracy);
});
