#!/usr/bin/env node
'use strict';
/**
 * Runs every test of the project: `node tests/run.js [FILTER...]`.
 *
 * 1. builds what the tests need (`make all test-bins`: the trainer, the
 *    WebAssembly module and page bundle, the core's test harness, and
 *    AddressSanitizer+UBSan builds of both);
 * 2. fetches and verifies the datasets into data/ (`make data`; with
 *    DATA_MIRROR=DIR it copies a local mirror instead of downloading), and
 *    writes the static site build/dist/ (`make dist`);
 * 3. runs tests/*.test.js with node:test, two files at a time, and ends with
 *    a line `N passed, N failed` (exit status 1 if any failed or none ran).
 *
 * FILTER arguments keep only the test files whose names contain one of them.
 */

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { run } = require('node:test');
const { spec } = require('node:test/reporters');

const ROOT = path.resolve(__dirname, '..');

function step(title, command, args, hint) {
  process.stdout.write(`\n== ${title}: ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : `exit status ${result.status}`;
    process.stderr.write(`\nrun.js: ${title} failed (${why}). ${hint}\n`);
    process.exit(1);
  }
}

function testFiles(filters) {
  const files = fs.readdirSync(__dirname)
    .filter((name) => name.endsWith('.test.js'))
    .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
    .sort();
  return files.map((name) => path.join(__dirname, name));
}

async function main() {
  const filters = process.argv.slice(2);
  step('build', 'make', ['-j2', 'all', 'test-bins'],
    'Run `make all test-bins` to see the error; `make deps` installs the compilers and zlib headers.');
  step('data', 'make', ['data'],
    'Run `make data` (or `DATA_MIRROR=DIR make data` to copy a local mirror).');
  step('dist', 'make', ['dist'], 'Run `make dist` to see the error.');

  const files = testFiles(filters);
  process.stdout.write(`\n== tests: ${files.map((f) => path.basename(f)).join(', ')}\n`);
  let passed = 0;
  let failed = 0;
  const stream = run({ files, concurrency: 2 });
  stream.on('test:pass', (event) => {
    if (event.details.type !== 'suite') passed++;
  });
  stream.on('test:fail', (event) => {
    if (event.details.type !== 'suite') failed++;
  });
  const output = stream.compose(spec);
  output.pipe(process.stdout);
  await new Promise((resolve) => output.on('end', resolve));
  process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`run.js: ${err.stack || err}\n`);
  process.exit(1);
});
