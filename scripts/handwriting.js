#!/usr/bin/env node
'use strict';
/**
 * How well a model reads digits as people write them on the page's pad:
 *
 *   node scripts/handwriting.js --model FILE [--seed N] [--count N] [--pad-pen] [--idx DIR] [--sheet PNG] [--json]
 *
 * builds the handwriting set (scripts/handwriting/: stroke-drawn digits in several writing
 * styles with varied slant, size, place, pen and device, rendered like the pad's canvas
 * and preprocessed by the page's web/js/preprocess.js), has the model (a file saved by
 * `build/mnist train --save` or the page) read every digit through the WebAssembly core
 * exactly as the page does (the 28x28 floats from preprocess.js), and prints the
 * accuracy overall, per digit, per writing style and per device, and the confusions.
 *
 *   --pad-pen    draw the ink with each digit's own pen, not preprocess.js's inkPen (the
 *                page before it normalised the stroke width: for comparison)
 *   --idx DIR    also write the set as IDX files into DIR (t10k-images-idx3-ubyte,
 *                t10k-labels-idx1-ubyte, pixels rounded to bytes) with links to MNIST's
 *                training files, so that `build/mnist eval --data DIR --model FILE` reads it
 *   --sheet PNG  a contact sheet of the set (the pad beside the 28x28 input)
 *   --json       one JSON object instead of the table
 */

const fs = require('node:fs');
const path = require('node:path');

const HandSet = require('./handwriting/set.js');
const { encodePng } = require('./handwriting/png.js');
const { idxImages, idxLabels } = require('./lib/bytes.js');
const { createEngine } = require('./lib/engine.js');
const { fileOf } = require('../common/datasets.js');
const Preprocess = require('../web/js/preprocess.js');

const ROOT = path.resolve(__dirname, '..');
const USAGE = 'usage: node scripts/handwriting.js --model FILE [--seed N] [--count N] [--pad-pen] [--idx DIR] [--sheet PNG] [--json]';

/** The page's input for every digit of the set (Float32Array(784) each, or null: no ink). */
function inputs(digits, { padPen = false } = {}) {
  return digits.map((digit) => Preprocess.preprocess(HandSet.ink(digit, { padPen }), HandSet.INK_SIZE, HandSet.INK_SIZE));
}

/** The bands of a digit's writing the report breaks the accuracy down by. */
const BANDS = {
  pen: { of: (d) => d.pen / d.size, edges: [0.06, 0.1, 0.15, 0.22], what: 'pen width / digit height' },
  size: { of: (d) => d.size, edges: [0.3, 0.45, 0.65], what: 'digit height / pad' },
  slant: { of: (d) => d.slant, edges: [0, 10, 20, 28], what: 'slant in degrees' }
};
function traits(digit) {
  return Object.entries(BANDS).map(([name, band]) => {
    const v = band.of(digit), e = band.edges;
    const i = e.findIndex((edge) => v < edge);
    const key = i < 0 ? `>=${e[e.length - 1]}` : i === 0 ? `<${e[0]}` : `${e[i - 1]}..${e[i]}`;
    return [name, key];
  });
}

/** Reads every digit with the model: { overall, perClass, perStyle, perDevice, confusion, wrong }. */
async function measure(modelBytes, digits, { padPen = false } = {}) {
  const engine = await createEngine();
  engine.loadModel(new Uint8Array(modelBytes));
  const confusion = Array.from({ length: 10 }, () => new Array(10).fill(0));
  const tally = (table, key, right) => {
    const t = table[key] || (table[key] = { count: 0, correct: 0 });
    t.count++;
    if (right) t.correct++;
  };
  const perStyle = {}, perDevice = {}, perTrait = {}, wrong = [];
  let correct = 0;
  inputs(digits, { padPen }).forEach((input, i) => {
    const digit = digits[i];
    const predicted = input ? engine.predict(input).predicted : -1;
    const right = predicted === digit.label;
    if (right) correct++;
    else wrong.push({ index: i, label: digit.label, style: digit.style, predicted });
    if (predicted >= 0) confusion[digit.label][predicted]++;
    tally(perStyle, `${digit.label} ${digit.style}`, right);
    tally(perDevice, digit.device, right);
    for (const [trait, key] of traits(digit)) tally(perTrait[trait] || (perTrait[trait] = {}), key, right);
  });
  engine.destroy();
  const perClass = confusion.map((row, label) => {
    const count = digits.filter((d) => d.label === label).length;
    return { label, count, correct: row[label], accuracy: row[label] / count };
  });
  const rate = (table) => Object.fromEntries(Object.entries(table).map(([k, t]) => [k, { ...t, accuracy: t.correct / t.count }]));
  return { count: digits.length, correct, accuracy: correct / digits.length, perClass, perStyle: rate(perStyle),
    perDevice: rate(perDevice), perTrait: Object.fromEntries(Object.entries(perTrait).map(([k, t]) => [k, rate(t)])),
    confusion, wrong };
}

/** MNIST's folder: DATA_MIRROR's copy when set, else data/mnist (`make data`). */
function mnistDir() {
  return process.env.DATA_MIRROR ? path.join(process.env.DATA_MIRROR, 'mnist') : path.join(ROOT, 'data', 'mnist');
}

/** The set as IDX files in dir, with MNIST's training files (from mnist) linked beside them. */
function writeIdx(dir, set, mnist = mnistDir()) {
  fs.mkdirSync(dir, { recursive: true });
  const images = set.images;
  const testFile = (part) => path.join(dir, fileOf('test', part).file.replace(/\.gz$/, '')); // written uncompressed
  fs.writeFileSync(testFile('images'), idxImages(set.labels.length, { fill: (i) => images[i] }));
  fs.writeFileSync(testFile('labels'), idxLabels(set.labels));
  for (const kind of ['images', 'labels']) {
    const name = fileOf('train', kind).file, link = path.join(dir, name);
    if (!fs.existsSync(path.join(mnist, name))) throw new Error(`${path.join(mnist, name)} is missing (make data, or DATA_MIRROR=DIR)`);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(path.resolve(mnist, name), link);
  }
}

const pct = (x) => (100 * x).toFixed(1).padStart(5) + '%';

function printReport(r) {
  console.log(`handwriting set: ${r.correct} of ${r.count} read right, ${pct(r.accuracy)}`);
  console.log('per digit:  ' + r.perClass.map((c) => `${c.label} ${pct(c.accuracy)}`).join('  '));
  console.log('per device: ' + Object.entries(r.perDevice).map(([k, t]) => `${k} ${pct(t.accuracy)}`).join('  '));
  for (const [name, bands] of Object.entries(r.perTrait)) {
    const keys = Object.keys(bands).sort((a, b) => parseFloat(a.replace(/^[<>=]+/, '')) - parseFloat(b.replace(/^[<>=]+/, '')) ||
      (a.startsWith('<') ? -1 : 1));
    console.log(`per ${BANDS[name].what}: ` + keys.map((k) => `${k} ${pct(bands[k].accuracy)} (${bands[k].count})`).join('  '));
  }
  console.log('per style:');
  for (const [k, t] of Object.entries(r.perStyle)) console.log(`  ${k.padEnd(14)} ${pct(t.accuracy)}  (${t.correct}/${t.count})`);
  const pairs = [];
  r.confusion.forEach((row, label) => row.forEach((n, p) => { if (p !== label && n) pairs.push([n, label, p]); }));
  pairs.sort((a, b) => b[0] - a[0]);
  console.log('confusions (true -> read as: count): ' + (pairs.map(([n, l, p]) => `${l}->${p}: ${n}`).join(', ') || 'none'));
}

function parseArgs(argv) {
  const opts = { seed: HandSet.SEED, count: HandSet.COUNT };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i], value = argv[i + 1];
    const need = () => {
      if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      i++;
      return value;
    };
    const whole = (min) => {
      const n = Number(need());
      if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be a whole number >= ${min}, got '${value}'`);
      return n;
    };
    if (flag === '--model') opts.model = need();
    else if (flag === '--seed') opts.seed = whole(0);
    else if (flag === '--count') opts.count = whole(1);
    else if (flag === '--idx') opts.idx = need();
    else if (flag === '--sheet') opts.sheet = need();
    else if (flag === '--json') opts.json = true;
    else if (flag === '--pad-pen') opts.padPen = true;
    else throw new Error(`unknown argument '${flag}'\n${USAGE}`);
  }
  if (!opts.model && !opts.idx && !opts.sheet) throw new Error(`nothing to do: give --model, --idx or --sheet\n${USAGE}`);
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const set = HandSet.build({ seed: opts.seed, count: opts.count, padPen: opts.padPen });
  if (opts.idx) writeIdx(opts.idx, set);
  if (opts.sheet) {
    const sheet = HandSet.contactSheet(set);
    fs.mkdirSync(path.dirname(path.resolve(opts.sheet)), { recursive: true });
    fs.writeFileSync(opts.sheet, encodePng(sheet.grey, sheet.width, sheet.height));
  }
  if (!opts.model) return;
  const report = await measure(fs.readFileSync(opts.model), set.digits, { padPen: opts.padPen });
  if (opts.json) console.log(JSON.stringify(report));
  else printReport(report);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`handwriting: ${e.message}`);
    process.exit(1);
  });
}

module.exports = { measure, writeIdx, inputs };
