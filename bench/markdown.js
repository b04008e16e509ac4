#!/usr/bin/env node
'use strict';
/**
 * docs/benchmarks.md, generated from a bench run's rows (build/bench.jsonl): a short
 * fixed header (what is measured, how, and on which machine: CPU model, cores, load at
 * the start, how busy the machine was around each row), then each section's table,
 * targets and notes (bench/report.js). `make
 * bench` writes it after every run; by hand, from the rows of an earlier run:
 *
 *   node bench/markdown.js [build/bench.jsonl] [docs/benchmarks.md]
 *
 * Public: benchmarksMarkdown(rows) -> text, readRows(jsonlFile) -> rows.
 */

const fs = require('node:fs');
const path = require('node:path');

const { OUT_FILE, DOC_FILE } = require('./config.js');
const { sections, machineLine, loadLines } = require('./report.js');
const { markdownTable } = require('./tables.js');

const HEADER = `# Benchmarks

Written by \`make bench\` (bench/run.js) from the rows of its last run, \`build/bench.jsonl\`;
do not edit: run \`make bench\` again, or \`node bench/markdown.js\` to rewrite this page from an
existing \`build/bench.jsonl\`.

What is measured: training speed (samples per second of training alone, and seconds for a
whole run) and test accuracy of this project's builds (native, WebAssembly with one thread and
with several, the page in headless Chromium) beside a straightforward C baseline, TensorFlow.js,
ConvNetJS and PyTorch, all training the same networks with the same recipe on MNIST; and the
memory of the browser tab while the page trains.

How: every row is a fresh process (or a fresh browser page) started by bench/run.js; each
implementation times its own training steps, and the tables below say what each figure counts.
Other work on the machine slows every figure down, so the benchmark watches it around every
row and marks the rows taken while other processes were busy: their figures are not the
machine's speed, and the targets that rest on them are not judged.`;

/** The page's Markdown for the rows of one run. */
function benchmarksMarkdown(rows) {
  const out = [HEADER, ''];
  if (rows.length === 0) return `${HEADER}\n\nNo run recorded yet: \`make bench\` writes its machine and tables here.\n`;
  const machine = rows.find((r) => r.machine)?.machine;
  out.push('## Machine', '');
  out.push(machine ? `${machineLine(machine)}${machine.date ? `; run on ${machine.date}` : ''}.` : 'Not recorded.', '');
  out.push(...loadLines(rows), '');
  const quick = [...new Set(rows.filter((r) => r.quick).map((r) => r.net))];
  if (quick.length === new Set(rows.map((r) => r.net)).size) {
    out.push('A BENCH_QUICK run: the headline configurations only, CNN rows timed on a few updates.', '');
  } else if (quick.length) {
    out.push(`Rows of a later BENCH_QUICK run (bounded runs) for: ${quick.join(', ')}; the rest from a whole run.`, '');
  }
  const failed = rows.filter((r) => r.error).length;
  out.push(`${rows.length} runs, ${failed} failed.`, '');
  for (const s of sections(rows)) {
    out.push(`## ${s.title}`, '', ...s.about.flatMap((text) => [text, '']), markdownTable(s.table), '');
    for (const block of s.blocks) out.push(`### ${block.title}`, '', ...block.lines.map((l) => `    ${l}`), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The rows of a build/bench.jsonl. */
function readRows(file) {
  return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line));
}

module.exports = { benchmarksMarkdown, readRows };

if (require.main === module) {
  const [from = OUT_FILE, to = DOC_FILE] = process.argv.slice(2);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.writeFileSync(to, benchmarksMarkdown(readRows(from)));
  console.log(`wrote ${to}`);
}
