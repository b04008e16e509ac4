#!/usr/bin/env node
// sweep-cnn.js - runs candidate training recipes with the native CLI for several seeds, one run at a
// time, and prints one Markdown table row per candidate: test accuracy per seed, min, mean, the epoch
// at which 99.0% (or --target) is first seen in a test every ~0.1 epoch, and training seconds per run.
//
// usage: node scripts/sweep-cnn.js [--data DIR] [--seeds 1-5] [--target 99] [--out FILE.jsonl]
//          -- "NAME: --preset cnn --epochs 2 --shift 1" ["NAME2: ..."] ...
// Each candidate is "name: CLI train flags". Each run's figures are appended to --out as a JSON line.
// The CLI is build/mnist (`make` builds it); runs are niced so a shared machine stays usable.
'use strict';
const { spawnSync } = require('node:child_process');
const { appendFileSync } = require('node:fs');
const { join } = require('node:path');
const { createEngine } = require('./lib/engine.js');

const root = join(__dirname, '..');
const cli = join(root, 'build', 'mnist');
const TRAIN_COUNT = 60000;

function fail(message) {
  process.stderr.write(`sweep-cnn: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { data: join(root, 'data', 'mnist'), seeds: [1, 2, 3, 4, 5], target: 99, out: null, candidates: [] };
  let i = 0;
  for (; i < argv.length && argv[i] !== '--'; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) fail(`${flag} needs a value`);
    if (flag === '--data') o.data = value;
    else if (flag === '--out') o.out = value;
    else if (flag === '--target') o.target = Number(value);
    else if (flag === '--seeds') {
      const m = /^(\d+)-(\d+)$/.exec(value);
      o.seeds = m ? Array.from({ length: m[2] - m[1] + 1 }, (_, k) => Number(m[1]) + k) : value.split(',').map(Number);
      if (!o.seeds.length || o.seeds.some((s) => !Number.isInteger(s) || s < 0)) fail(`bad --seeds '${value}'`);
    } else fail(`unknown flag ${flag}`);
  }
  if (!(o.target > 0 && o.target <= 100)) fail('--target is a percentage in (0, 100]');
  for (const text of argv.slice(i + 1)) {
    const at = text.indexOf(':');
    if (at < 1) fail(`candidate '${text}' is not "name: flags"`);
    o.candidates.push({ name: text.slice(0, at).trim(), flags: text.slice(at + 1).trim().split(/\s+/).filter(Boolean) });
  }
  if (!o.candidates.length) fail('no candidates (after --)');
  return o;
}

// The batch size a run uses, to log every ~0.1 epoch: its --batch, else its preset's, from the
// core's own table (its rules; the CLI's default preset when none is named).
function batchOf(flags, presets) {
  const at = flags.indexOf('--batch');
  if (at >= 0) return flags[at + 1] === 'full' ? TRAIN_COUNT : Number(flags[at + 1]);
  const name = flags.includes('--preset') ? flags[flags.indexOf('--preset') + 1] : 'default';
  if (!Object.prototype.hasOwnProperty.call(presets, name)) fail(`unknown preset '${name}' (the core has ${Object.keys(presets).join(', ')})`);
  return presets[name].batch;
}

function runOnce(o, flags, seed) {
  const perEpoch = Math.ceil(TRAIN_COUNT / batchOf(flags, o.presets));
  const args = ['-n', '10', cli, 'train', '--data', o.data, ...flags, '--seed', String(seed),
    '--log-every', String(Math.max(1, Math.round(perEpoch / 10)))];
  const r = spawnSync('nice', args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) fail(`run failed (${args.join(' ')}):\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  const result = JSON.parse(lines[lines.length - 1]);
  let first = null;
  for (const line of lines) {
    const m = /^epoch ([\d.]+) .* test ([\d.]+)%/.exec(line);
    if (m && first === null && Number(m[2]) >= o.target) first = Number(m[1]);
  }
  return { seed, accuracy: 100 * result.test_accuracy, first, seconds: result.seconds, epochs: result.epochs };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  o.presets = (await createEngine()).rules.presets;
  console.log(`| candidate | flags | ${o.seeds.map((s) => `seed ${s}`).join(' | ')} | min | mean | first ${o.target}% (epoch) | s/run |`);
  console.log(`| --- | --- | ${o.seeds.map(() => '---').join(' | ')} | --- | --- | --- | --- |`);
  for (const c of o.candidates) {
    const runs = o.seeds.map((seed) => {
      const run = runOnce(o, c.flags, seed);
      if (o.out) appendFileSync(o.out, JSON.stringify({ name: c.name, flags: c.flags.join(' '), ...run }) + '\n');
      return run;
    });
    const accs = runs.map((r) => r.accuracy);
    const firsts = runs.map((r) => (r.first === null ? '-' : r.first.toFixed(1)));
    const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
    const seconds = runs.reduce((a, r) => a + r.seconds, 0) / runs.length;
    console.log(`| ${c.name} | \`${c.flags.join(' ')}\` | ${accs.map((a) => a.toFixed(2)).join(' | ')} | ` +
      `${Math.min(...accs).toFixed(2)} | ${mean.toFixed(3)} | ${firsts.join(' / ')} | ${seconds.toFixed(1)} |`);
  }
}

main().catch((e) => fail(e.message));
