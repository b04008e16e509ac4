'use strict';
/**
 * Tests for scripts/fetch-data.js. Run: node --test tests/data.test.js
 *
 * Everything goes into temp dirs (DATA_DIR) and the only network used is a
 * node:http server on 127.0.0.1, so the tests work offline and never touch
 * the real data/ folder. The files fetched are small valid IDX files made here
 * (a mirror folder with its own SHA256SUMS, passed as DATA_CHECKSUMS), so no
 * test needs the real datasets. The end-to-end cases run the script as a child
 * process so exit codes and stderr are what a user would see. The child is
 * spawned asynchronously: a synchronous spawn would block this process's
 * event loop and with it the test HTTP server.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const zlib = require('node:zlib');
const { execFile } = require('node:child_process');
const { test } = require('node:test');

const fetchData = require('../scripts/fetch-data.js');
const { IDS, FILE_NAMES, fileOf } = require('../common/datasets.js');
const { tempDir, writeIdxMirror } = require('./helpers');

const SCRIPT = path.resolve(__dirname, '..', 'scripts', 'fetch-data.js');
const TRAIN_LABELS = fileOf('train', 'labels').file;
const LABEL_FILES = [TRAIN_LABELS, fileOf('test', 'labels').file];
const CHECKSUMS = fetchData.parseChecksums(fs.readFileSync(fetchData.CHECKSUM_FILE, 'utf8'));

/* --------------------------------- helpers -------------------------------- */

function makeTempDir(t) {
  return tempDir(t, 'mnist-fetch-test-');
}

/** Run the script with a clean DATA_* environment; DATA_DIR is mandatory. */
function runScript(args, env) {
  assert.ok(env.DATA_DIR, 'tests must set DATA_DIR so the real data/ is never touched');
  const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DATA_')));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SCRIPT, ...args],
      { env: { ...baseEnv, ...env }, timeout: 15000, cwd: path.resolve(__dirname, '..') },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr, killed: Boolean(error && error.killed) });
      },
    );
  });
}

/** HTTP server on 127.0.0.1:0; closed (with any hanging connections) after the test. */
async function startServer(t, handler) {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url);
    handler(req, res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  );
  return { base: `http://127.0.0.1:${server.address().port}`, requests };
}

/** A mirror folder of small IDX files and their SHA256SUMS (see helpers.writeIdxMirror). */
function makeMirror(t) {
  return writeIdxMirror(makeTempDir(t));
}

function serveBytes(res, bytes) {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
  res.end(bytes);
}

function baseUrlsEnv(urlsByDataset) {
  return JSON.stringify(urlsByDataset);
}

/** Environment for a fast, single-file HTTP run against the given mirrors. */
function httpEnv(dataDir, urlsByDataset, extra = {}) {
  return {
    DATA_DIR: dataDir,
    DATA_BASE_URLS: baseUrlsEnv(urlsByDataset),
    DATA_FILES: TRAIN_LABELS,
    DATA_RETRIES: '0',
    DATA_RETRY_DELAY_MS: '10',
    DATA_TIMEOUT_MS: '2000',
    ...extra,
  };
}

async function assertVerified(dataDir, dataset, file, sums) {
  const key = fetchData.fileKey(dataset, file);
  const actual = await fetchData.hashGzipContent(path.join(dataDir, key));
  assert.equal(actual, sums.get(key), `${key} content`);
}

/** The dataset folder holds nothing: no final file and no leftover temp file. */
function assertNothingLeft(dataDir, dataset) {
  const dir = path.join(dataDir, fetchData.fileKey(dataset, ''));
  const left = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  assert.deepEqual(left, [], `files left in ${dir}`);
}

/* ------------------------------ unit tests -------------------------------- */

test('SHA256SUMS lists every dataset file exactly once', () => {
  const expected = IDS.flatMap((d) => FILE_NAMES.map((f) => fetchData.fileKey(d, f)));
  assert.deepEqual([...CHECKSUMS.keys()].sort(), expected.sort());
});

test('parseChecksums rejects malformed and duplicate lines', () => {
  assert.throws(() => fetchData.parseChecksums('abc  mnist/x.gz\n'), /:1: expected/);
  const line = `${'a'.repeat(64)}  mnist/x.gz`;
  assert.throws(() => fetchData.parseChecksums(`${line}\n${line}\n`), /listed twice/);
  assert.equal(fetchData.parseChecksums(`# c\n\n${line}\n`).get('mnist/x.gz'), 'a'.repeat(64));
});

test('configuration is validated with clear messages', () => {
  assert.throws(() => fetchData.parseBaseUrls('{'), /not valid JSON/);
  assert.throws(() => fetchData.parseBaseUrls('[]'), /must be a JSON object/);
  assert.throws(() => fetchData.parseBaseUrls('{"emnist":["http://x/"]}'), /unknown dataset "emnist"/);
  assert.throws(() => fetchData.parseBaseUrls('{"mnist":[]}'), /non-empty array/);
  assert.throws(() => fetchData.parseBaseUrls('{"mnist":["ftp://x/"]}'), /only http and https/);
  const urls = fetchData.parseBaseUrls('{"mnist":["http://127.0.0.1:1/a"]}');
  assert.deepEqual(urls.mnist, ['http://127.0.0.1:1/a/']);
  assert.deepEqual(urls['fashion-mnist'], fetchData.DEFAULT_BASE_URLS['fashion-mnist']);
  assert.throws(() => fetchData.parseFileList('train-labels-idx1-ubyte'), /unknown file/);
  assert.throws(() => fetchData.optionsFromEnv({ DATA_RETRIES: '-1' }), /DATA_RETRIES must be/);
  assert.throws(() => fetchData.parseArgs(['--bogus']), /unknown option/);
  assert.throws(() => fetchData.parseArgs(['cifar']), /unknown dataset "cifar"/);
  assert.deepEqual(fetchData.parseArgs([]).datasets, ['mnist', 'fashion-mnist']);
  assert.deepEqual(fetchData.optionsFromEnv({ DATA_CHECKSUMS: 'x/SUMS' }, '/w').checksumFile, '/w/x/SUMS');
  assert.equal(fetchData.optionsFromEnv({}).checksumFile, fetchData.CHECKSUM_FILE);
  assert.deepEqual(fetchData.parseArgs(['fashion-mnist']).datasets, ['fashion-mnist']);
});

test('progress prints only a few lines when not on a TTY', () => {
  const lines = [];
  const stream = { isTTY: false, write: (s) => lines.push(s) };
  const progress = fetchData.createProgress(stream, 'x', 10 * 1024 * 1024);
  for (let i = 0; i < 1024; i += 1) progress.add(10 * 1024); // 1024 chunks of 10 KiB
  progress.finish();
  assert.equal(lines.length, 4, lines.join(''));
  assert.match(lines[3], /10\.0 MiB \/ 10\.0 MiB \(100%\)/);
});

test('progress redraws one line with \\r on a TTY, at most every 100 ms', () => {
  const writes = [];
  const stream = { isTTY: true, write: (s) => writes.push(s) };
  let now = 1000; // the progress's clock: the test moves it, so the machine's speed does not matter
  const progress = fetchData.createProgress(stream, 'x', 1000, () => now);
  for (let i = 0; i < 50; i += 1) progress.add(10);
  assert.equal(writes.length, 1, 'one redraw within the first 100 ms');
  now += 100;
  for (let i = 0; i < 50; i += 1) progress.add(10);
  assert.equal(writes.length, 2, 'one more after 100 ms');
  progress.finish();
  assert.ok(writes.every((w) => w.startsWith('\r')));
  assert.equal(writes.length, 3);
  assert.ok(writes.at(-1).endsWith('\n'));
});

test('CLI: --help exits 0, unknown dataset exits 1', async (t) => {
  const dataDir = makeTempDir(t);
  const help = await runScript(['--help'], { DATA_DIR: dataDir });
  assert.equal(help.code, 0);
  assert.match(help.stdout, /DATA_MIRROR/);
  assert.match(help.stdout, /DATA_CHECKSUMS=FILE/);
  const bad = await runScript(['cifar'], { DATA_DIR: dataDir });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown dataset "cifar"/);
});

/* --------------------------- DATA_MIRROR mode ----------------------------- */

test('DATA_MIRROR copies all files, verifies them, then reports cached', async (t) => {
  const dataDir = makeTempDir(t);
  const mirror = makeMirror(t);
  const env = { DATA_DIR: dataDir, DATA_MIRROR: mirror.dir, DATA_CHECKSUMS: mirror.checksumFile };

  const first = await runScript([], env);
  assert.equal(first.code, 0, first.stderr);
  assert.equal((first.stdout.match(/: ok \(copied from /g) || []).length, 8, first.stdout);
  assert.match(first.stdout, /8 files ok \(8 copied\)/);

  for (const dataset of IDS) {
    for (const file of FILE_NAMES) {
      await assertVerified(dataDir, dataset, file, mirror.sums);
      const mode = fs.statSync(path.join(dataDir, fetchData.fileKey(dataset, file))).mode & 0o777;
      assert.equal(mode, 0o644, `${dataset}/${file} must be writable (mirror files are 0444)`);
    }
    assert.deepEqual(fs.readdirSync(path.join(dataDir, fetchData.fileKey(dataset, ''))).sort(), [...FILE_NAMES].sort());
  }

  const second = await runScript([], env);
  assert.equal(second.code, 0, second.stderr);
  assert.equal((second.stdout.match(/: ok \(cached\)/g) || []).length, 8, second.stdout);
  assert.match(second.stdout, /8 files ok \(8 cached\)/);
});

test('a corrupt file already in DATA_DIR is replaced from DATA_MIRROR', async (t) => {
  const dataDir = makeTempDir(t);
  const mirror = makeMirror(t);
  const file = TRAIN_LABELS;
  const target = path.join(dataDir, fetchData.fileKey('mnist', file));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, zlib.gzipSync(Buffer.from('not the MNIST labels')));
  fs.chmodSync(target, 0o444); // even a read-only stale file must be replaceable

  const run = await runScript(['mnist'], {
    DATA_DIR: dataDir, DATA_MIRROR: mirror.dir, DATA_CHECKSUMS: mirror.checksumFile, DATA_FILES: file,
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /mnist\/train-labels-idx1-ubyte\.gz: existing file is bad, replacing it: checksum mismatch/);
  assert.match(run.stdout, /mnist\/train-labels-idx1-ubyte\.gz: ok \(copied from /);
  await assertVerified(dataDir, 'mnist', file, mirror.sums);
});

test('a relative DATA_MIRROR is resolved from the current directory', async (t) => {
  const dataDir = makeTempDir(t);
  const mirror = makeMirror(t);
  const relative = path.relative(path.resolve(__dirname, '..'), mirror.dir); // cwd of runScript
  const run = await runScript(['fashion-mnist'], {
    DATA_DIR: dataDir,
    DATA_MIRROR: relative,
    DATA_CHECKSUMS: mirror.checksumFile,
    DATA_FILES: LABEL_FILES[1],
  });
  assert.equal(run.code, 0, run.stderr);
  await assertVerified(dataDir, 'fashion-mnist', LABEL_FILES[1], mirror.sums);
});

test('a DATA_MIRROR whose own SHA256SUMS disagrees with ours stops before copying', async (t) => {
  const dataDir = makeTempDir(t);
  const mirror = makeMirror(t);
  const key = fetchData.fileKey('mnist', TRAIN_LABELS);
  const text = fs.readFileSync(mirror.checksumFile, 'utf8');
  fs.writeFileSync(mirror.checksumFile, text.replace(`${mirror.sums.get(key)}  ${key}`, `${'0'.repeat(64)}  ${key}`));
  const ours = path.join(dataDir, 'our-SHA256SUMS');
  fs.writeFileSync(ours, text);

  const run = await runScript([], { DATA_DIR: dataDir, DATA_MIRROR: mirror.dir, DATA_CHECKSUMS: ours });
  assert.equal(run.code, 1);
  assert.ok(run.stderr.includes(`${mirror.checksumFile} disagrees with ${ours} on ${key}`), run.stderr);
  for (const dataset of IDS) assertNothingLeft(dataDir, dataset);
});

test('a missing DATA_MIRROR folder fails with its path', async (t) => {
  const dataDir = makeTempDir(t);
  const missing = path.join(dataDir, 'no-such-mirror');
  const run = await runScript([], { DATA_DIR: dataDir, DATA_MIRROR: missing });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /DATA_MIRROR: no such directory/);
  assert.ok(run.stderr.includes(missing));
});

/* ------------------------------- HTTP mode -------------------------------- */

test('download falls back past a 404 mirror and follows a redirect', async (t) => {
  const dataDir = makeTempDir(t);
  const fixtures = makeMirror(t);
  // /a/ -> 404; /b/<ds>/<file> -> 302 to /c/<ds>/<file>; /c/ serves the right bytes.
  const server = await startServer(t, (req, res) => {
    const [, mirror, dataset, file] = req.url.split('/');
    if (mirror === 'b') {
      res.writeHead(302, { location: `/c/${dataset}/${file}` });
      res.end();
    } else if (mirror === 'c' && IDS.includes(dataset) && LABEL_FILES.includes(file)) {
      serveBytes(res, fixtures.bytes(fetchData.fileKey(dataset, file)));
    } else {
      res.writeHead(404);
      res.end('not here');
    }
  });
  const urls = Object.fromEntries(
    IDS.map((d) => [d, [`${server.base}/a/${d}/`, `${server.base}/b/${d}/`]]),
  );
  const run = await runScript([], httpEnv(dataDir, urls, {
    DATA_FILES: LABEL_FILES.join(','), DATA_RETRIES: '2', DATA_CHECKSUMS: fixtures.checksumFile,
  }));

  assert.equal(run.code, 0, run.stderr);
  for (const dataset of IDS) {
    for (const file of LABEL_FILES) {
      await assertVerified(dataDir, dataset, file, fixtures.sums);
      assert.match(run.stdout, new RegExp(`${dataset}/${file}: ok \\(downloaded from ${server.base}/c/${dataset}/`));
      assert.match(run.stderr, new RegExp(`${server.base}/a/${dataset}/${file}: HTTP 404`));
      // A 404 will not change on retry: one request to /a/, then /b/ and /c/.
      const hits = server.requests.filter((u) => u.endsWith(`/${dataset}/${file}`));
      assert.deepEqual(hits.map((u) => u.split('/')[1]), ['a', 'b', 'c']);
    }
  }
  assert.match(run.stdout, /4 files ok \(4 downloaded\)/);
});

test('a temporary server error is retried on the same mirror', async (t) => {
  const dataDir = makeTempDir(t);
  const fixtures = makeMirror(t);
  const file = TRAIN_LABELS;
  let calls = 0;
  const server = await startServer(t, (req, res) => {
    calls += 1;
    if (calls === 1) {
      res.writeHead(503);
      res.end();
    } else {
      serveBytes(res, fixtures.bytes(fetchData.fileKey('mnist', file)));
    }
  });
  const run = await runScript(['mnist'], httpEnv(dataDir, { mnist: [`${server.base}/m/`] }, {
    DATA_RETRIES: '2', DATA_CHECKSUMS: fixtures.checksumFile,
  }));
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /HTTP 503 .*\(attempt 1\/3\), retrying/);
  assert.equal(calls, 2);
  await assertVerified(dataDir, 'mnist', file, fixtures.sums);
});

test('a valid gzip with the wrong content fails the checksum and is removed', async (t) => {
  const dataDir = makeTempDir(t);
  const server = await startServer(t, (req, res) => serveBytes(res, zlib.gzipSync(Buffer.from('wrong content\n'))));
  const run = await runScript(['mnist'], httpEnv(dataDir, { mnist: [`${server.base}/m/`] }));

  assert.equal(run.code, 1);
  assert.match(run.stderr, /mnist\/train-labels-idx1-ubyte\.gz: .*checksum mismatch/);
  assert.ok(run.stderr.includes(`expected ${CHECKSUMS.get('mnist/train-labels-idx1-ubyte.gz')}`), run.stderr);
  assert.match(run.stderr, /actual [0-9a-f]{64}/);
  assert.match(run.stderr, /FAILED 1 of 1 files: mnist\/train-labels-idx1-ubyte\.gz/);
  assertNothingLeft(dataDir, 'mnist');
});

test('a file that is not gzip fails with a gzip error and is removed', async (t) => {
  const dataDir = makeTempDir(t);
  const server = await startServer(t, (req, res) => serveBytes(res, Buffer.from('<html>rate limited</html>')));
  const run = await runScript(['fashion-mnist'], httpEnv(dataDir, { 'fashion-mnist': [`${server.base}/f/`] }));

  assert.equal(run.code, 1);
  assert.match(run.stderr, /fashion-mnist\/train-labels-idx1-ubyte\.gz: .*not a valid gzip file \(gzip error: incorrect header check\)/);
  assertNothingLeft(dataDir, 'fashion-mnist');
});

test('stalled servers time out and every URL is named', async (t) => {
  const dataDir = makeTempDir(t);
  // /hang/ accepts and never answers; /trickle/ sends half the body and stalls.
  const server = await startServer(t, (req, res) => {
    if (req.url.startsWith('/trickle/')) {
      res.writeHead(200, { 'content-length': 1000 });
      res.write(Buffer.alloc(500));
    }
  });
  const hang = `${server.base}/hang/`;
  const trickle = `${server.base}/trickle/`;
  const started = Date.now();
  const run = await runScript(['mnist'], httpEnv(dataDir, { mnist: [hang, trickle] }, { DATA_TIMEOUT_MS: '300' }));

  assert.equal(run.killed, false, 'the script must give up on its own');
  assert.ok(Date.now() - started < 10000);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /could not download mnist\/train-labels-idx1-ubyte\.gz; tried:/);
  assert.ok(run.stderr.includes(`${hang}train-labels-idx1-ubyte.gz: timed out (no data for 300 ms)`), run.stderr);
  assert.ok(run.stderr.includes(`${trickle}train-labels-idx1-ubyte.gz: timed out (no data for 300 ms)`), run.stderr);
  assertNothingLeft(dataDir, 'mnist');
});

test('a redirect loop stops after a bounded number of hops', async (t) => {
  const dataDir = makeTempDir(t);
  const server = await startServer(t, (req, res) => {
    res.writeHead(302, { location: req.url });
    res.end();
  });
  const run = await runScript(['mnist'], httpEnv(dataDir, { mnist: [`${server.base}/loop/`] }));
  assert.equal(run.code, 1);
  assert.match(run.stderr, /too many redirects \(more than 5\)/);
  assert.equal(server.requests.length, 6); // the request plus 5 redirects
});

test('an unreachable mirror fails naming the URL and is skipped for later files', async (t) => {
  const dataDir = makeTempDir(t);
  // Find a port nobody listens on: bind one, then release it.
  const probe = http.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = probe.address().port;
  await new Promise((resolve) => probe.close(resolve));

  const url = `http://127.0.0.1:${port}/x/`;
  const env = httpEnv(dataDir, { mnist: [url] }, { DATA_RETRIES: '1', DATA_FILES: LABEL_FILES.join(',') });
  const run = await runScript(['mnist'], env);
  assert.equal(run.code, 1);
  assert.match(run.stderr, new RegExp(`${url}train-labels-idx1-ubyte\\.gz: connect ECONNREFUSED .*\\(attempt 2/2\\)`));
  // The second file does not wait for the same dead host again, but still names it.
  assert.ok(run.stderr.includes(`${url}t10k-labels-idx1-ubyte.gz: skipped, unreachable earlier in this run`), run.stderr);
  assert.match(run.stderr, /FAILED 2 of 2 files/);
  assertNothingLeft(dataDir, 'mnist');
});
