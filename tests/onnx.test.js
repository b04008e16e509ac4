'use strict';
/**
 * ONNX export (src/core/onnx.c, docs/onnx.md) proved by a real consumer: onnxruntime-node
 * (pinned in package.json) runs the exported file.
 *  - default, cnn and a padded CNN, trained briefly by the engine: all 10,000 test images
 *    give the core's top class (its classify, the batch path) and probabilities within 1e-4
 *    of its own (mnist_predict per image);
 *  - every preset and a few odd shapes (a pool first, a pool that drops rows, a convolution
 *    on a convolution) export and load, with the input and output shapes the docs promise
 *    and the core's probabilities on a few hundred images;
 *  - a corrupted export (its graph's bytes flipped) and a truncated one are refused by
 *    onnxruntime: it throws, never answers;
 *  - the metadata read back (a small protobuf reader: onnxruntime shows little of it);
 *  - the CLI's `export --onnx` of a model the CLI trained and the engine's export of the
 *    same model file, at the accuracy its own test gives: the same bytes.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const ort = require('onnxruntime-node');
const { BIN, MNIST_DIR, runBinary, tempDir, engineWithMnist, mnistSet } = require('./helpers');
const { metadataOf, graphNodes, fields, onnxInput, agreement, coreOutputs, PIXELS, CLASSES } = require('./onnx-helpers');

const TOLERANCE = 1e-4;
const BATCH = 1000; // images per onnxruntime run
const SESSION = { intraOpNumThreads: 1, interOpNumThreads: 1 }; // (a shared 2-core machine)

const testPixels = () => new Uint8Array(mnistSet('t10k').images, 16); // (after the IDX header)

/** Trains about `iterations` updates of the network in place. */
function trainBriefly(engine, iterations) {
  const batch = engine.hyper.batch;
  let p = { iterations: 0 };
  while (p.iterations < iterations) p = engine.step(batch * 10);
  return p;
}

/** onnxruntime-node's probabilities for images 0..n-1 of pixels. */
async function onnxOutputs(bytes, pixels, n) {
  const session = await ort.InferenceSession.create(bytes, SESSION);
  assert.deepEqual([session.inputNames, session.outputNames], [['pixels'], ['probabilities']]);
  const probabilities = new Float32Array(n * CLASSES);
  for (let first = 0; first < n; first += BATCH) {
    const m = Math.min(BATCH, n - first);
    const input = new ort.Tensor('float32', onnxInput(pixels, first, m), [m, 1, 28, 28]);
    const out = (await session.run({ pixels: input })).probabilities;
    assert.deepEqual(out.dims, [m, CLASSES]);
    probabilities.set(out.data, first * CLASSES);
  }
  await session.release();
  return { probabilities };
}

const NETS = [
  { name: 'default', preset: 'default', iterations: 300 },
  { name: 'cnn', preset: 'cnn', iterations: 150 },
  // padding on both convolutions (1 and 2), two pools: the layout conversion with pads
  { name: 'padded', preset: 'cnn', arch: '784-c8k3pad1-p2-c12k5pad2-p2-32-10', iterations: 150 },
];

for (const net of NETS) {
  test(`onnx: ${net.name}, trained briefly, agrees with the core on all 10,000 test images in onnxruntime-node`, async (t) => {
    const engine = await engineWithMnist();
    const config = { ...engine.rules.presets[net.preset], iterations: net.iterations };
    if (net.arch) config.arch = net.arch;
    engine.init(config);
    trainBriefly(engine, net.iterations);
    const { accuracy } = engine.evaluate('test');
    const bytes = engine.exportOnnx({ testAccuracy: accuracy });
    const n = engine.count('test');
    assert.equal(n, 10000);
    const core = coreOutputs(engine, n);
    const onnx = await onnxOutputs(bytes, testPixels(), n);
    const { mismatches, worst } = agreement(core, onnx);
    t.diagnostic(`${engine.archText()}: ${(accuracy * 100).toFixed(2)}% test accuracy, ${bytes.length} bytes; largest probability difference ${worst.toExponential(2)}`);
    assert.deepEqual(mismatches, [], 'the top class of every image is the core\'s');
    assert.ok(worst <= TOLERANCE, `probabilities within ${TOLERANCE} of the core's (largest difference ${worst})`);
    // the accuracy onnxruntime's answers give is the core's
    const labels = engine.labels('test');
    let correct = 0;
    for (let i = 0; i < n; i++) if (core.predicted[i] === labels[i]) correct++;
    assert.equal(correct / n, accuracy);
  });
}

test('onnx: every preset and odd shapes export and load, with the documented shapes and the core\'s probabilities', async () => {
  const engine = await engineWithMnist();
  const pixels = testPixels(), n = 200;
  const configs = Object.entries(engine.rules.presets).map(([name, preset]) => ({ name, config: preset }));
  for (const arch of ['784-p2-32-10', '784-c4k3-p3-10', '784-c3k5pad2-c5k3-p2-16-16-10', '784-64-32-16-10']) {
    configs.push({ name: arch, config: { arch } });
  }
  for (const { name, config } of configs) {
    engine.init(config);
    const bytes = engine.exportOnnx();
    const session = await ort.InferenceSession.create(bytes, SESSION);
    assert.deepEqual(session.inputMetadata.map((m) => [m.name, m.type, m.shape]), [['pixels', 'float32', ['N', 1, 28, 28]]], name);
    assert.deepEqual(session.outputMetadata.map((m) => [m.name, m.type, m.shape]), [['probabilities', 'float32', ['N', 10]]], name);
    await session.release();
    const { worst } = agreement(coreOutputs(engine, n), await onnxOutputs(bytes, pixels, n));
    assert.ok(worst <= TOLERANCE, `${name}: probabilities within ${TOLERANCE} of the core's (largest difference ${worst})`);
    const meta = metadataOf(bytes);
    assert.equal(meta.architecture, engine.archText(), name);
    assert.equal(meta.preset, engine.rules.presets[name] ? name : undefined, `${name}: the preset is named when the settings are one's`);
  }
});

test('onnx: the metadata reads back: producer, architecture, settings, preset, accuracy (only when known)', async () => {
  const engine = await engineWithMnist();
  engine.init(engine.rules.presets.cnn);
  const known = metadataOf(engine.exportOnnx({ testAccuracy: 0.9915 }));
  const settings = engine.string(engine.x.config_json()); // (the core's text: mnist_config_json)
  assert.deepEqual(known, {
    producer: 'mnist-wasm', architecture: '784-c16k3-p2-c32k3-p2-64-10', training_settings: settings,
    preset: 'cnn', test_accuracy: '0.9915',
  });
  const written = JSON.parse(known.training_settings);
  assert.deepEqual(Object.keys(written), engine.rules.settings.map((s) => s.key), 'every setting of the core\'s table');
  for (const [key, value] of Object.entries(written)) assert.deepEqual(value, engine.rules.presets.cnn[key], key);
  const unknown = metadataOf(engine.exportOnnx());
  assert.equal(unknown.test_accuracy, undefined, 'no accuracy when none is known');
  assert.equal(metadataOf(engine.exportOnnx({ testAccuracy: null })).test_accuracy, undefined);
  engine.setHyper({ lr: 0.001 });
  assert.equal(metadataOf(engine.exportOnnx()).preset, undefined, 'settings changed from the preset\'s: no preset named');
  const doc = fields(engine.exportOnnx()).find((f) => f.field === 6); // ModelProto.doc_string
  assert.match(Buffer.from(engine.exportOnnx().subarray(doc.start, doc.end)).toString(), /0\.\.1.*white ink \(1\) on black \(0\)/);
  for (const bad of [1.5, -0.1, NaN, '0.9']) {
    assert.throws(() => engine.exportOnnx({ testAccuracy: bad }), /fraction from 0 to 1/, String(bad));
  }
});

test('onnx: a corrupted or truncated export is refused by onnxruntime, never answered', async () => {
  const engine = await engineWithMnist();
  engine.init({ ...engine.rules.presets.cnn, arch: '784-c4k3pad1-p2-16-10' });
  const good = engine.exportOnnx();
  await (await ort.InferenceSession.create(good, SESSION)).release(); // (the intact file loads)
  const nodes = graphNodes(good);
  assert.deepEqual(nodes.map((n) => n.op), ['Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm', 'Relu', 'Gemm', 'Softmax']);
  const graph = fields(good).find((f) => f.field === 7);
  const flipped = (from, to) => {
    const bytes = Uint8Array.from(good);
    for (let i = from; i < to; i++) bytes[i] ^= 0xff;
    return bytes;
  };
  const cases = {
    'the first node\'s operator name flipped': flipped(nodes[0].opStart, nodes[0].opEnd),
    'the middle of the graph\'s nodes flipped': flipped(nodes[2].start, nodes[4].end),
    'the graph\'s length flipped': flipped(graph.start - 3, graph.start),
    'cut in half': good.slice(0, good.length >> 1),
    'cut inside the graph\'s first node': good.slice(0, nodes[0].start + 4),
    'cut one byte short': good.slice(0, good.length - 1),
  };
  for (const [what, bytes] of Object.entries(cases)) {
    await assert.rejects(async () => {
      const session = await ort.InferenceSession.create(bytes, SESSION);
      const input = new ort.Tensor('float32', new Float32Array(PIXELS), [1, 1, 28, 28]);
      await session.run({ pixels: input }); // (not reached: the file is refused before)
    }, Error, `onnxruntime refuses the file ${what}`);
  }
});

test('onnx: the CLI\'s export of a CLI-trained model is byte for byte the engine\'s export of the same file', async (t) => {
  const dir = tempDir(t);
  const model = path.join(dir, 'default.model'), cli = path.join(dir, 'cli.onnx'), bare = path.join(dir, 'bare.onnx');
  const trained = runBinary(BIN.mnist, ['train', '--data', MNIST_DIR, '--preset', 'default', '--iterations', '300', '--save', model]);
  assert.equal(trained.status, 0, trained.stderr);
  const exported = runBinary(BIN.mnist, ['export', '--onnx', cli, '--model', model, '--data', MNIST_DIR]);
  assert.equal(exported.status, 0, exported.stderr);
  assert.equal(exported.json.test_accuracy, trained.json.test_accuracy);
  const cliBytes = fs.readFileSync(cli);
  assert.equal(exported.json.bytes, cliBytes.length);

  const engine = await engineWithMnist();
  engine.loadModel(new Uint8Array(fs.readFileSync(model)));
  const { accuracy } = engine.evaluate('test');
  const engineBytes = engine.exportOnnx({ testAccuracy: accuracy });
  assert.ok(Buffer.from(engineBytes).equals(cliBytes), 'the same bytes');
  const meta = metadataOf(cliBytes);
  assert.equal(Number(meta.test_accuracy), accuracy);
  assert.equal(meta.preset, undefined, 'an iteration limit of its own: not the default preset\'s settings');

  // without --data: no accuracy, and the engine's export without one is the same file
  const plain = runBinary(BIN.mnist, ['export', '--model', model, '--onnx', bare]);
  assert.equal(plain.status, 0, plain.stderr);
  assert.ok(Buffer.from(engine.exportOnnx()).equals(fs.readFileSync(bare)));
  assert.equal(metadataOf(fs.readFileSync(bare)).test_accuracy, undefined);
  assert.equal(plain.json.test_accuracy, undefined);
});

test('onnx: the CLI\'s export refuses bad usage and bad files with one message', (t) => {
  const dir = tempDir(t);
  const notModel = path.join(dir, 'not.model');
  fs.writeFileSync(notModel, 'this text is no model file, though it is long enough to be read as one');
  const cases = [
    [['export', '--model', notModel], 2, /--onnx OUT and --model FILE are required/],
    [['export', '--onnx', path.join(dir, 'x.onnx')], 2, /--onnx OUT and --model FILE are required/],
    [['export', '--onnx', path.join(dir, 'x.onnx'), '--model', notModel, '--frob', '1'], 2, /unknown option '--frob' for export/],
    [['export', '--onnx', path.join(dir, 'x.onnx'), '--model', notModel], 1, /not a model file/],
    [['export', '--onnx', dir, '--model', notModel], 1, /not a regular file|directory/],
  ];
  for (const [args, status, message] of cases) {
    const r = runBinary(BIN.mnist, args);
    assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
  assert.ok(!fs.existsSync(path.join(dir, 'x.onnx')), 'nothing written');
  const help = runBinary(BIN.mnist, ['--help']).stdout;
  assert.match(help, /mnist export --onnx OUT --model FILE \[--data DIR\]/);
});
