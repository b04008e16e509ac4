'use strict';
/**
 * Shared by the dev server's tests (server*.test.js): a temp site with web/, data/ and a
 * secret beside them, the server listening over it, plain and raw-TCP clients, and
 * waiting with a bound.
 *
 * Requests go through http.request with the raw `path` option, not fetch: fetch (like
 * any URL parser) removes `/../` before sending, and the traversal strings must reach
 * the server as written. `localAddress` (any of 127/8, which Linux routes to lo) makes
 * a client look like another machine to the server's per-address cap.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const zlib = require('node:zlib');
const { spawn } = require('node:child_process');

const { ROOT, tempDir, idxLabels } = require('./helpers');
const { createServer, LIMITS } = require('../scripts/serve.js');
const { DATASETS, fileOf } = require('../common/datasets.js');

const SCRIPT = path.join(ROOT, 'scripts', 'serve.js');
const SECRET = 'TOP-SECRET-do-not-serve';
const INDEX_HTML = '<!doctype html><title>mnist-wasm</title>\n';
const LABELS_GZ = zlib.gzipSync(idxLabels([5, 0, 4, 1, 9, 2]));
const MNIST = DATASETS.mnist.folder;                            // 'mnist/' under data/
const LABELS = fileOf('train', 'labels');                       // the site's one data file
const LABELS_PATH = `/data/${MNIST}${LABELS.file}`;
const ABSENT_PATH = `/data/${MNIST}${fileOf('test', 'images').file}`; // a data file it has not
const URL_LINE = /^Serving mnist-wasm at http:\/\/127\.0\.0\.1:(\d+)\/ \(Ctrl-C to stop\)$/;
const CHILD_TIMEOUT_MS = 5000;
// Generous allowances, for a loaded machine: a limit's closing may come this
// much late, and a normal request served meanwhile must take less than QUICK_MS.
const SLACK_MS = 3000;
const QUICK_MS = 1000;
const HEADERS_CLOSE_MS = LIMITS.headersMs + LIMITS.checkIntervalMs; // Node checks on an interval
const KEEP_ALIVE_CLOSE_MS = LIMITS.keepAliveMs + 1000; // Node waits 1 s beyond the advertised time

/* --------------------------------- helpers -------------------------------- */

function writeFile(file, contents) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, contents);
}

/**
 * A temp folder with web/ and data/ roots and, beside them (outside both),
 * secret.txt that no request may ever read.
 */
function makeSite(t) {
  const dir = tempDir(t, 'mnist-serve-test-');
  const web = path.join(dir, 'web');
  const data = path.join(dir, 'data');
  writeFile(path.join(dir, 'secret.txt'), SECRET);
  writeFile(path.join(web, 'index.html'), INDEX_HTML);
  writeFile(path.join(web, 'worker.js'), 'self.onmessage = () => {};\n');
  writeFile(path.join(web, 'x.wasm'), Buffer.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFile(path.join(web, 'x.css'), 'body { margin: 0; }\n');
  writeFile(path.join(web, 'hello.txt'), 'hello\n');
  writeFile(path.join(web, 'sub', 'index.html'), '<p>sub</p>\n');
  fs.mkdirSync(path.join(web, 'empty'));
  writeFile(path.join(data, MNIST, LABELS.file), LABELS_GZ);
  return { dir, web, data };
}

/**
 * A copy of the server script and its modules in the site's scripts/, whose default
 * roots are then the site's web/ and data/, exactly as in the real repository; its path.
 */
function copyScript(site) {
  const script = path.join(site.dir, 'scripts', 'serve.js');
  writeFile(script, fs.readFileSync(SCRIPT));
  fs.cpSync(path.join(path.dirname(SCRIPT), 'serve'), path.join(site.dir, 'scripts', 'serve'), { recursive: true });
  return script;
}

/** The server for the site's roots on 127.0.0.1:<free port>, listening; closed after the test. */
async function listeningServer(t, site, limits = {}) {
  const server = createServer({ webRoot: site.web, dataRoot: site.data, log: false, limits });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  }));
  return server;
}

/** Serves the site's roots on 127.0.0.1:<free port>; resolves the port. */
async function startServer(t, site) {
  return (await listeningServer(t, site)).address().port;
}

/**
 * The `i`th of many distinct client addresses (127.0.1.1, 127.0.1.2, ...), none of
 * them 127.0.0.1: for tests of what many clients may do, under the per-address cap.
 */
function clientAddress(i) {
  return `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

/** One request with `rawPath` sent exactly as written; resolves { status, headers, body }. */
function request(port, rawPath, { method = 'GET', headers = {}, localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path: rawPath, method, headers, agent: false, localAddress };
    const req = http.request(options, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(CHILD_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${rawPath}: no answer`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * A raw TCP client: `received` collects what the server sends, `closed`
 * resolves { ms, received } when the server (or an error) ends the connection,
 * ms counted from the connection (or from the attempt, if it never connects);
 * `localAddress` picks the client's address.
 * `response()` resolves the next complete response ({ status, headers, body })
 * once its Content-Length bytes are in.
 */
function rawClient(t, port, localAddress = undefined) {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  const client = { socket, received: Buffer.alloc(0), parsed: 0, waiters: [], start: performance.now() };
  const connected = new Promise((resolve) => socket.once('connect', resolve));
  client.connected = connected.then(() => { client.start = performance.now(); });
  const check = () => {
    while (client.waiters.length) {
      const res = parseResponse(client.received, client.parsed);
      if (!res) return;
      client.parsed = res.end;
      client.waiters.shift()(res);
    }
  };
  socket.on('data', (chunk) => {
    client.received = Buffer.concat([client.received, chunk]);
    check();
  });
  socket.on('error', () => {}); // a reset is one way of being closed
  client.closed = new Promise((resolve) => socket.on('close', () => {
    resolve({ ms: performance.now() - client.start, received: client.received.toString('latin1') });
  }));
  client.response = () => new Promise((resolve) => {
    client.waiters.push(resolve);
    check();
  });
  t.after(() => socket.destroy());
  return client;
}

/** The response starting at `from` in `bytes`, or null if not all there yet. */
function parseResponse(bytes, from) {
  const headEnd = bytes.indexOf('\r\n\r\n', from);
  if (headEnd < 0) return null;
  const [statusLine, ...lines] = bytes.subarray(from, headEnd).toString('latin1').split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
  }));
  const end = headEnd + 4 + Number(headers['content-length'] || 0);
  if (bytes.length < end) return null;
  return { status: Number(statusLine.split(' ')[1]), headers, body: bytes.subarray(headEnd + 4, end), end };
}

/** Writes `text` one byte every `everyMs`, the first at once, until the socket closes. */
function drip(t, socket, text, everyMs) {
  let sent = 0;
  const send = () => {
    if (socket.destroyed || sent >= text.length) return clearInterval(timer);
    socket.write(text[sent++]);
  };
  const timer = setInterval(send, everyMs);
  t.after(() => clearInterval(timer));
  send();
}

/** Milliseconds a normal GET of /hello.txt takes, checking its answer. */
async function timedHello(port) {
  const started = performance.now();
  const res = await request(port, '/hello.txt');
  const ms = performance.now() - started;
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), 'hello\n');
  return ms;
}

/** Normal requests every `everyMs` until `until` settles; resolves { count, slowestMs }. */
async function normalRequestsDuring(port, until, everyMs = 700) {
  let done = false;
  until.finally(() => { done = true; });
  const times = [];
  while (!done) {
    times.push(await timedHello(port));
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return { count: times.length, slowestMs: Math.max(...times) };
}

const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;

function assertIsolationHeaders(res, what) {
  assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin', `COOP on ${what}`);
  assert.equal(res.headers['cross-origin-embedder-policy'], 'require-corp', `COEP on ${what}`);
  assert.equal(res.headers['cross-origin-resource-policy'], 'same-origin', `CORP on ${what}`);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', `nosniff on ${what}`);
  assert.equal(res.headers['cache-control'], 'no-cache', `Cache-Control on ${what}`);
}

function childEnv(extra) {
  const env = Object.fromEntries(Object.entries(process.env)
    .filter(([name]) => !['PORT', 'HOST', 'SERVE_LOG'].includes(name)));
  return { ...env, ...extra };
}

/** Spawns `node script`; the child is killed after the test if still running. */
function spawnServe(t, script, env) {
  const child = spawn(process.execPath, [script], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (text) => { output.stdout += text; });
  child.stderr.setEncoding('utf8').on('data', (text) => { output.stderr += text; });
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, output, exited };
}

/** Resolves with `promise`, or rejects after `ms` saying what was awaited. */
function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The first complete stdout line of a spawned server (its URL line). */
function firstLine({ child, output, exited }) {
  const line = new Promise((resolve, reject) => {
    const check = () => {
      const end = output.stdout.indexOf('\n');
      if (end >= 0) resolve(output.stdout.slice(0, end));
    };
    child.stdout.on('data', check);
    check();
    exited.then(({ code }) => reject(new Error(`server exited (${code}) before printing:\n${output.stderr}`)));
  });
  return within(CHILD_TIMEOUT_MS, line, 'the URL line');
}
module.exports = {
  SCRIPT, SECRET, INDEX_HTML, LABELS_GZ, MNIST, LABELS, LABELS_PATH, ABSENT_PATH, URL_LINE, CHILD_TIMEOUT_MS,
  SLACK_MS, QUICK_MS, HEADERS_CLOSE_MS, KEEP_ALIVE_CLOSE_MS,
  clientAddress, copyScript, writeFile, makeSite, listeningServer, startServer, request, rawClient, parseResponse, drip, timedHello,
  normalRequestsDuring, secs, assertIsolationHeaders, spawnServe, within, firstLine,
};
