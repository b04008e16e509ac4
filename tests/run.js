#!/usr/bin/env node
'use strict';
/**
 * Runs every test of the project: `node tests/run.js [--allow-skip] [FILTER...]`.
 *
 * 1. installs what is missing: the system packages (`scripts/install-deps.sh --tests`:
 *    compilers, emscripten, npm, Debian's chromium and firefox-esr; with apt-get when
 *    root, else it prints the command to run and the run fails), and `npm ci` when
 *    node_modules is missing or differs from package-lock.json;
 * 2. builds what the tests need (`make all test-bins RELAXED_SIMD=1`: the trainer, the
 *    WebAssembly modules (with the optional relaxed-SIMD pair) and page bundle, the
 *    core's test harness, and AddressSanitizer+UBSan builds of both);
 * 3. fetches and verifies the datasets into data/ (`make data`; with DATA_MIRROR=DIR
 *    it copies a local mirror instead of downloading), and writes the static site
 *    build/dist/ (`make dist`);
 * 4. runs tests/*.test.js with node:test, two files at a time, and ends with a line
 *    `N passed, N failed, N skipped`.
 *
 * The exit status is 1 if any test failed, if none ran, or if any was skipped (or
 * marked todo): a skipped test proves nothing, so each is listed with its reason and
 * the run fails. `--allow-skip` accepts skips: they are still listed and counted.
 * FILTER arguments keep only the test files whose names contain one of them.
 */

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { run } = require('node:test');
const { spec } = require('node:test/reporters');

const ROOT = path.resolve(__dirname, '..');
const USAGE = 'usage: node tests/run.js [--allow-skip] [FILTER...]';

function step(title, command, args, hint, env = {}) {
  process.stdout.write(`\n== ${title}: ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : `exit status ${result.status}`;
    process.stderr.write(`\nrun.js: ${title} failed (${why}). ${hint}\n`);
    process.exit(1);
  }
}

function readJson(file) {
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null;
}

/**
 * Whether node_modules differs from package-lock.json: npm records what it installed
 * in node_modules/.package-lock.json, so every package of the lock file must be there
 * with the same version and integrity, and nothing else (optional packages for other
 * platforms are never installed, so their absence is fine).
 */
function npmInstallNeeded() {
  const locked = (readJson(path.join(ROOT, 'package-lock.json')) || {}).packages || {};
  const wanted = Object.entries(locked).filter(([where]) => where !== '');
  const installed = (readJson(path.join(ROOT, 'node_modules', '.package-lock.json')) || {}).packages || {};
  const differs = wanted.some(([where, pkg]) => {
    const got = installed[where];
    if (!got) return !pkg.optional;
    return got.version !== pkg.version || got.integrity !== pkg.integrity;
  });
  const extra = Object.keys(installed).some((where) => !locked[where]);
  return differs || extra;
}

function testFiles(filters) {
  const files = fs.readdirSync(__dirname)
    .filter((name) => name.endsWith('.test.js'))
    .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
    .sort();
  return files.map((name) => path.join(__dirname, name));
}

/** Runs the files; resolves { passed, failed, skipped: [{ where, why }] }. */
async function runTests(files) {
  const result = { passed: 0, failed: 0, skipped: [] };
  const record = (event, outcome) => {
    const notRun = event.skip !== undefined && event.skip !== false ? ['skipped', event.skip]
      : event.todo !== undefined && event.todo !== false ? ['todo', event.todo] : null;
    if (notRun) {
      // A skipped suite's tests are not reported one by one, so the suite counts as one.
      const reason = typeof notRun[1] === 'string' ? notRun[1] : 'no reason given';
      const where = `${path.relative(ROOT, event.file || '?')}: ${event.name}`;
      result.skipped.push({ where, why: `${notRun[0]}: ${reason}` });
    } else if (event.details.type !== 'suite') {
      result[outcome]++;
    } else if (outcome === 'failed' && event.details.error?.failureType !== 'subtestsFailed') {
      result.failed++; // a suite's own hook failed: no test of it reports that
    }
  };
  const stream = run({ files, concurrency: 2 });
  stream.on('test:pass', (event) => record(event, 'passed'));
  stream.on('test:fail', (event) => record(event, 'failed'));
  const output = stream.compose(spec);
  output.pipe(process.stdout);
  await new Promise((resolve) => output.on('end', resolve));
  return result;
}

async function main() {
  const args = process.argv.slice(2);
  const allowSkip = args.includes('--allow-skip');
  const unknown = args.filter((a) => a.startsWith('-') && a !== '--allow-skip');
  if (unknown.length) {
    process.stderr.write(`run.js: unknown option ${unknown.join(' ')}\n${USAGE}\n`);
    process.exit(2);
  }
  const filters = args.filter((a) => !a.startsWith('-'));

  step('system packages', 'bash', ['scripts/install-deps.sh', '--quiet', '--tests'],
    'Install what it names, then run `node tests/run.js` again.');
  if (npmInstallNeeded()) {
    // (onnxruntime-node, a test dependency, would otherwise fetch GPU runtimes it does not need)
    step('node packages', 'npm', ['ci', '--no-audit', '--no-fund'],
      'Run `npm ci` to see the error (it needs the npm registry, or a cache).', { ONNXRUNTIME_NODE_INSTALL: 'skip' });
  }
  step('build', 'make', ['-j2', 'all', 'test-bins', 'RELAXED_SIMD=1'],
    'Run `make all test-bins RELAXED_SIMD=1` to see the error; `make deps` installs the compilers and zlib headers '
    + '(`scripts/install-deps.sh --relaxed`, clang-19 and lld-19 for the relaxed-SIMD modules).');
  step('data', 'make', ['data'],
    'Run `make data` (or `DATA_MIRROR=DIR make data` to copy a local mirror).');
  step('dist', 'make', ['dist'], 'Run `make dist` to see the error.');

  const files = testFiles(filters);
  process.stdout.write(`\n== tests: ${files.map((f) => path.basename(f)).join(', ')}\n`);
  const { passed, failed, skipped } = await runTests(files);
  process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped.length} skipped\n`);
  for (const { where, why } of skipped) process.stdout.write(`  skipped ${where} (${why})\n`);
  const skipFails = skipped.length > 0 && !allowSkip;
  if (skipFails) {
    process.stdout.write(`run.js: ${skipped.length} test(s) skipped, so this run fails: install what ` +
      'they name, or pass --allow-skip to accept skipped tests\n');
  }
  if (passed + failed === 0) process.stdout.write('run.js: no test ran\n');
  process.exitCode = failed > 0 || passed + failed === 0 || skipFails ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`run.js: ${err.stack || err}\n`);
  process.exit(1);
});
