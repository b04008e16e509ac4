'use strict';
/**
 * The parsers under libFuzzer (fuzz/README.md): builds every harness of fuzz/ (clang,
 * libFuzzer, AddressSanitizer, UBSan) and runs each for SECONDS through fuzz/run.sh, as
 * `make fuzz` does; any crash, leak, timeout or broken check fails the test, naming the
 * harness and libFuzzer's reproducer file under build/fuzz/artifacts/.
 */

const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { ROOT } = require('./helpers');

const SECONDS = 15; // per harness: the suite runs two files at once on 2 cores
const FUZZ_DIR = path.join(ROOT, 'fuzz');

/** The harnesses: every fuzz/NAME.c that defines LLVMFuzzerTestOneInput (the Makefile's rule). */
const HARNESSES = fs.readdirSync(FUZZ_DIR)
  .filter((f) => f.endsWith('.c') && fs.readFileSync(path.join(FUZZ_DIR, f), 'utf8').includes('LLVMFuzzerTestOneInput'))
  .map((f) => f.replace(/\.c$/, ''))
  .sort();

test('there is a harness for each IDX parser, the model loader (raw and with its checksum fixed) and the architecture text', () => {
  for (const name of ['idx_dataset', 'idx_images', 'model_crc', 'model_raw', 'arch_text']) assert.ok(HARNESSES.includes(name), `no fuzz/${name}.c`);
});

test('the harnesses build, and the seeds cover every model format version', () => {
  const r = spawnSync('make', ['-s', 'fuzz-bins'], { cwd: ROOT, encoding: 'utf8', timeout: 600000 });
  assert.equal(r.status, 0, `make fuzz-bins failed:\n${r.stdout}${r.stderr}`);
  const seeds = fs.readdirSync(path.join(ROOT, 'build', 'fuzz', 'seeds', 'model'));
  const versions = new Set(seeds.map((f) => fs.readFileSync(path.join(ROOT, 'build', 'fuzz', 'seeds', 'model', f)).readUInt32LE(8)));
  assert.deepEqual([...versions].sort(), [1, 2, 3, 4]);
});

for (const name of HARNESSES) {
  test(`fuzz ${name} for ${SECONDS} s: no crash`, (t) => {
    const r = spawnSync('bash', ['fuzz/run.sh', String(SECONDS), name], {
      cwd: ROOT, encoding: 'utf8', timeout: (SECONDS + 120) * 1000,
    });
    assert.equal(r.error, undefined, `fuzz/run.sh ${name}: ${r.error}`);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith(`fuzz: ${name}: `));
    const found = lines.filter((l) => /reproducer|libFuzzer exited/.test(l));
    assert.deepEqual(found, [], `the fuzzer found something in ${name}:\n${found.join('\n')}\n${r.stderr}`);
    assert.equal(r.status, 0, `fuzz/run.sh ${name}: status ${r.status}\n${r.stdout}${r.stderr}`);
    const summary = lines[0] && lines[0].match(/: (\d+) executions in \d+ s, corpus (\d+) files .*, 0 crashes$/);
    assert.ok(summary, `no summary line for ${name}:\n${r.stdout}`);
    assert.ok(Number(summary[1]) >= 100, `${name} ran only ${summary[1]} inputs in ${SECONDS} s`); // it ran: not a speed test
    t.diagnostic(lines[0]);
  });
}
