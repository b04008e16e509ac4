'use strict';
/**
 * Tests for scripts/serve.js, the static server behind `make serve`.
 * Run: node --test tests/server.test.js
 *
 * The server runs in-process on 127.0.0.1:0 over temp folders, so the real
 * web/ and data/ are never needed (tests/server-helpers.js makes them). The
 * command-line cases spawn the script itself. The limits' cases talk raw TCP
 * (net.Socket) to drip, stall or say nothing, and time the server's closing
 * against LIMITS, the server's own values. The races (a folder swapped
 * mid-request, clients racing for connections) are in server-races.test.js.
 */

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { describe, test } = require('node:test');

const { LIMITS } = require('../scripts/serve.js');
const {
  SCRIPT, SECRET, INDEX_HTML, LABELS_GZ, MNIST, LABELS, LABELS_PATH, ABSENT_PATH, URL_LINE, CHILD_TIMEOUT_MS,
  SLACK_MS, QUICK_MS, HEADERS_CLOSE_MS, KEEP_ALIVE_CLOSE_MS,
  clientAddress, copyScript, writeFile, makeSite, listeningServer, startServer, request, rawClient, parseResponse, drip, timedHello,
  normalRequestsDuring, secs, assertIsolationHeaders, spawnServe, within, firstLine,
} = require('./server-helpers');


/* ----------------------------- what it serves ----------------------------- */

test('/ and /index.html serve web/index.html as text/html', async (t) => {
  const port = await startServer(t, makeSite(t));
  for (const rawPath of ['/', '/index.html', '/?v=1']) {
    const res = await request(port, rawPath);
    assert.equal(res.status, 200, rawPath);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(res.body.toString(), INDEX_HTML);
    assert.equal(res.headers['content-length'], String(Buffer.byteLength(INDEX_HTML)));
  }
});

test('MIME types of the page, worker, WebAssembly and styles', async (t) => {
  const port = await startServer(t, makeSite(t));
  const expected = {
    '/worker.js': 'text/javascript; charset=utf-8',
    '/x.wasm': 'application/wasm',
    '/x.css': 'text/css; charset=utf-8',
    '/hello.txt': 'text/plain; charset=utf-8',
  };
  for (const [rawPath, type] of Object.entries(expected)) {
    const res = await request(port, rawPath);
    assert.equal(res.status, 200, rawPath);
    assert.equal(res.headers['content-type'], type, rawPath);
  }
});

test('/data/ serves data/ byte for byte as application/gzip, without Content-Encoding', async (t) => {
  const port = await startServer(t, makeSite(t));
  const res = await request(port, LABELS_PATH, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/gzip');
  assert.equal(res.headers['content-encoding'], undefined);
  assert.equal(res.headers['content-length'], String(LABELS_GZ.length));
  assert.deepEqual(res.body, LABELS_GZ);
});

test('a large file streams whole and exact; unknown extensions are application/octet-stream', async (t) => {
  const site = makeSite(t);
  const bytes = crypto.randomBytes(3 << 20);
  writeFile(path.join(site.data, 'big.bin'), bytes);
  const port = await startServer(t, site);
  const res = await request(port, '/data/big.bin');
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/octet-stream');
  assert.equal(res.headers['content-length'], String(bytes.length));
  assert.ok(res.body.equals(bytes), 'body differs from the file');
});

test('HEAD gives the headers and no body', async (t) => {
  const port = await startServer(t, makeSite(t));
  const res = await request(port, LABELS_PATH, { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/gzip');
  assert.equal(res.headers['content-length'], String(LABELS_GZ.length));
  assert.equal(res.body.length, 0);
  assertIsolationHeaders(res, 'HEAD');
});

test('COOP, COEP and the other common headers are on a 200, a 404, a 403 and a 405', async (t) => {
  const port = await startServer(t, makeSite(t));
  const cases = [['/', 'GET', 200], ['/missing.js', 'GET', 404], ['/../secret.txt', 'GET', 403], ['/', 'POST', 405]];
  for (const [rawPath, method, status] of cases) {
    const res = await request(port, rawPath, { method });
    assert.equal(res.status, status, `${method} ${rawPath}`);
    assertIsolationHeaders(res, `${method} ${rawPath} (${status})`);
  }
});

test('404 for missing files; error bodies are short plain text', async (t) => {
  const port = await startServer(t, makeSite(t));
  for (const rawPath of ['/missing.html', ABSENT_PATH, '/data/nothing/', '/hello.txt/']) {
    const res = await request(port, rawPath);
    assert.equal(res.status, 404, rawPath);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.ok(res.body.length < 100, `long error body for ${rawPath}`);
  }
});

test('POST, PUT and DELETE get 405 with an Allow header', async (t) => {
  const port = await startServer(t, makeSite(t));
  for (const method of ['POST', 'PUT', 'DELETE']) {
    const res = await request(port, '/index.html', { method });
    assert.equal(res.status, 405, method);
    assert.equal(res.headers.allow, 'GET, HEAD');
  }
});

test('directories serve index.html, redirect to add the slash, and are never listed', async (t) => {
  const port = await startServer(t, makeSite(t));
  const sub = await request(port, '/sub/');
  assert.equal(sub.status, 200);
  assert.equal(sub.body.toString(), '<p>sub</p>\n');
  const redirect = await request(port, '/sub');
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.location, '/sub/');
  // Location is rebuilt from the checked path: `//sub` must not become `//sub/`,
  // which a browser would read as another host.
  assert.equal((await request(port, '//sub')).headers.location, '/sub/');
  for (const rawPath of ['/empty/', '/empty', '/data/', `/data/${MNIST}`]) {
    const res = await request(port, rawPath);
    assert.equal(res.status, 404, rawPath);
    assert.ok(!res.body.toString().includes(LABELS.short), `${rawPath} lists files`);
  }
});

test('dot and empty segments: /. and // are the root, /sub/. is /sub/, and no Location starts with //', async (t) => {
  const port = await startServer(t, makeSite(t));
  const expected = {
    '/.': [200, INDEX_HTML],
    '/./': [200, INDEX_HTML],
    '//': [200, INDEX_HTML],
    '/%2e': [200, INDEX_HTML],
    '/.//./.': [200, INDEX_HTML],
    '/?x=/.': [200, INDEX_HTML],
    '/./hello.txt': [200, 'hello\n'],
    '/sub/.': [200, '<p>sub</p>\n'],
    '/sub/./': [200, '<p>sub</p>\n'],
    '//sub//.': [200, '<p>sub</p>\n'],
    '/./sub': [301, '/sub/'],
    '//sub': [301, '/sub/'],
    '//./sub': [301, '/sub/'],
    '/hello.txt/.': [404],
    '/data/.': [404],
    '/..': [403],
    '/%2e%2e': [403],
    '/.%2e/': [403],
    '/sub/..': [403],
    '/sub/../': [403],
  };
  for (const [rawPath, [status, expectation]] of Object.entries(expected)) {
    const res = await request(port, rawPath);
    assert.equal(res.status, status, rawPath);
    if (status === 200) assert.equal(res.body.toString(), expectation, rawPath);
    if (status === 301) assert.equal(res.headers.location, expectation, rawPath);
    else assert.equal(res.headers.location, undefined, `${rawPath}: a Location on a ${status}`);
  }
});

test('ETag and Last-Modified give 304 Not Modified', async (t) => {
  const port = await startServer(t, makeSite(t));
  const first = await request(port, '/worker.js');
  assert.ok(first.headers.etag, 'no ETag');
  const byTag = await request(port, '/worker.js', { headers: { 'If-None-Match': first.headers.etag } });
  assert.equal(byTag.status, 304);
  assert.equal(byTag.body.length, 0);
  assertIsolationHeaders(byTag, '304');
  const byDate = await request(port, '/worker.js', { headers: { 'If-Modified-Since': first.headers['last-modified'] } });
  assert.equal(byDate.status, 304);
  const changed = await request(port, '/worker.js', { headers: { 'If-None-Match': 'W/"other"' } });
  assert.equal(changed.status, 200);
});

/* -------------------------------- traversal ------------------------------- */

test('traversal never escapes the roots (403 or 404, never the secret)', async (t) => {
  const port = await startServer(t, makeSite(t));
  const attempts = [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/data/../secret.txt',
    '/data/../../secret.txt',
    '/data/%2e%2e/secret.txt',
    '/data/%2e%2e/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/..\\secret.txt',
    '/%5c..%5csecret.txt',
    '/%252e%252e/secret.txt',
    '/data/%252e%252e/secret.txt',
    '/./../secret.txt',
    '/sub/../../secret.txt',
    '//etc/passwd',
    '/data//etc/passwd',
    `/${'../'.repeat(20)}etc/passwd`,
  ];
  for (const rawPath of attempts) {
    const res = await request(port, rawPath);
    assert.ok([403, 404].includes(res.status), `${rawPath}: status ${res.status}`);
    const body = res.body.toString();
    assert.ok(!body.includes(SECRET) && !body.includes('root:'), `${rawPath} leaked a file`);
  }
});

test('detected traversal is 403; a double-encoded one is just a missing name (404)', async (t) => {
  const port = await startServer(t, makeSite(t));
  assert.equal((await request(port, '/../secret.txt')).status, 403);
  assert.equal((await request(port, '/%2E%2E%2Fsecret.txt')).status, 403);
  assert.equal((await request(port, '/data/%2e%2e/%2e%2e/secret.txt')).status, 403);
  assert.equal((await request(port, '/..\\secret.txt')).status, 403);
  assert.equal((await request(port, '/%252e%252e/secret.txt')).status, 404);
  assert.equal((await request(port, '//etc/passwd')).status, 404);
});

test('NUL bytes and malformed escapes are 400', async (t) => {
  const port = await startServer(t, makeSite(t));
  for (const rawPath of ['/%00', '/index.html%00.txt', '/%E0%A4%A', '/%zz', '/%']) {
    const res = await request(port, rawPath);
    assert.equal(res.status, 400, rawPath);
    assertIsolationHeaders(res, rawPath);
  }
});

test('a symlink out of the root is 403; one inside the root works', async (t) => {
  const site = makeSite(t);
  fs.symlinkSync(path.join(site.dir, 'secret.txt'), path.join(site.web, 'link-out.txt'));
  fs.symlinkSync(site.dir, path.join(site.web, 'dir-out'));
  fs.symlinkSync(path.join(site.dir, 'secret.txt'), path.join(site.data, MNIST, 'link-out.gz'));
  fs.symlinkSync('hello.txt', path.join(site.web, 'link-in.txt'));
  fs.symlinkSync(path.join(site.web, 'sub'), path.join(site.web, 'dir-in'));
  fs.symlinkSync('nowhere.txt', path.join(site.web, 'dangling.txt'));
  const port = await startServer(t, site);
  for (const rawPath of ['/link-out.txt', '/dir-out/secret.txt', `/data/${MNIST}link-out.gz`]) {
    const res = await request(port, rawPath);
    assert.equal(res.status, 403, rawPath);
    assert.ok(!res.body.toString().includes(SECRET), `${rawPath} leaked the secret`);
    assertIsolationHeaders(res, rawPath);
  }
  const inside = await request(port, '/link-in.txt');
  assert.equal(inside.status, 200);
  assert.equal(inside.body.toString(), 'hello\n');
  assert.equal((await request(port, '/dir-in/')).status, 200);
  assert.equal((await request(port, '/dangling.txt')).status, 404);
});

test('a root reached through a symlink still serves, and still refuses the outside', async (t) => {
  const site = makeSite(t);
  const linkedWeb = path.join(site.dir, 'web-link');
  fs.symlinkSync(site.web, linkedWeb);
  fs.symlinkSync(path.join(site.dir, 'secret.txt'), path.join(site.web, 'link-out.txt'));
  const port = await startServer(t, { ...site, web: linkedWeb });
  assert.equal((await request(port, '/')).status, 200);
  assert.equal((await request(port, '/link-out.txt')).status, 403);
});

/* ------------------------- slow and greedy clients ------------------------ */

// These wait for the limits and are independent: run side by side.
describe('waiting out the time limits', { concurrency: true }, () => {
  test('clients dripping their headers a byte a second are closed within the limit; others are served meanwhile', async (t) => {
    const DRIPPERS = 20;
    const port = await startServer(t, makeSite(t));
    const drippers = await Promise.all(Array.from({ length: DRIPPERS }, async (_, i) => {
      const dripper = rawClient(t, port, clientAddress(i));
      await dripper.connected;
      drip(t, dripper.socket, `GET /hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(100)}`, 1000);
      return dripper;
    }));
    const allClosed = Promise.all(drippers.map((dripper) => dripper.closed));
    const meanwhile = await normalRequestsDuring(port, allClosed);
    const closings = await allClosed;
    const latest = Math.max(...closings.map(({ ms }) => ms));
    t.diagnostic(`${DRIPPERS} header drippers closed after ${secs(Math.min(...closings.map(({ ms }) => ms)))} ` +
      `to ${secs(latest)} (limit ${secs(LIMITS.headersMs)}); ` +
      `${meanwhile.count} normal requests meanwhile, slowest ${meanwhile.slowestMs.toFixed(1)} ms`);
    for (const { ms, received } of closings) {
      assert.match(received, /^HTTP\/1\.1 408 /, 'expected 408 Request Timeout');
      assert.ok(ms >= LIMITS.headersMs - 100, `closed after ${ms} ms, before the limit`);
    }
    assert.ok(latest < HEADERS_CLOSE_MS + SLACK_MS, `closed after ${latest} ms`);
    assert.ok(meanwhile.count >= 3, `only ${meanwhile.count} normal requests meanwhile`);
    assert.ok(meanwhile.slowestMs < QUICK_MS, `a normal request took ${meanwhile.slowestMs} ms meanwhile`);
  });

  test('a client that connects and sends nothing is closed within the header limit', async (t) => {
    const port = await startServer(t, makeSite(t));
    const silent = rawClient(t, port);
    await silent.connected;
    const { ms, received } = await silent.closed;
    t.diagnostic(`silent client closed after ${secs(ms)} (limit ${secs(LIMITS.headersMs)})`);
    assert.match(received, /^HTTP\/1\.1 408 /, 'expected 408 Request Timeout');
    assert.ok(ms >= LIMITS.headersMs - 100, `closed after ${ms} ms, before the limit`);
    assert.ok(ms < HEADERS_CLOSE_MS + SLACK_MS, `closed after ${ms} ms`);
  });

  test('an idle keep-alive connection is closed after the keep-alive limit, and is usable until then', async (t) => {
    const port = await startServer(t, makeSite(t));
    const client = rawClient(t, port);
    await client.connected;
    client.socket.write('GET /hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const first = await client.response();
    assert.equal(first.status, 200);
    assert.equal(first.headers['keep-alive'], `timeout=${LIMITS.keepAliveMs / 1000}`);
    await new Promise((resolve) => setTimeout(resolve, LIMITS.keepAliveMs / 2));
    client.socket.write('GET /worker.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const second = await client.response();
    assert.equal(second.status, 200, 'the connection was not kept alive');
    const idleFrom = performance.now();
    const { received } = await client.closed;
    const idleMs = performance.now() - idleFrom;
    t.diagnostic(`idle keep-alive connection closed after ${secs(idleMs)} (limit ${secs(LIMITS.keepAliveMs)} advertised)`);
    assert.equal(parseResponse(Buffer.from(received, 'latin1'), second.end), null, 'more than two responses');
    assert.ok(idleMs >= LIMITS.keepAliveMs - 100, `closed after ${idleMs} ms idle, before the limit`);
    assert.ok(idleMs < KEEP_ALIVE_CLOSE_MS + SLACK_MS, `closed after ${idleMs} ms idle`);
  });
});

test('a request declaring a body is refused with 413 at once and closed, however slowly the body comes', async (t) => {
  const port = await startServer(t, makeSite(t));
  const head = 'Host: 127.0.0.1\r\n';
  const cases = {
    'Content-Length 100 KB': `POST /index.html HTTP/1.1\r\n${head}Content-Length: 102400\r\n\r\n`,
    'GET with Content-Length': `GET /hello.txt HTTP/1.1\r\n${head}Content-Length: 102400\r\n\r\n`,
    'chunked': `PUT /x HTTP/1.1\r\n${head}Transfer-Encoding: chunked\r\n\r\n`,
    'Expect: 100-continue': `POST / HTTP/1.1\r\n${head}Content-Length: 102400\r\nExpect: 100-continue\r\n\r\n`,
  };
  const clients = await Promise.all(Object.entries(cases).map(async ([name, headers]) => {
    const client = rawClient(t, port);
    await client.connected;
    client.socket.write(headers);
    drip(t, client.socket, name === 'chunked' ? '1\r\nx\r\n'.repeat(100) : 'x'.repeat(102400), 3000);
    return [name, client];
  }));
  const allClosed = Promise.all(clients.map(([, client]) => client.closed));
  const meanwhile = await normalRequestsDuring(port, allClosed, 100);
  for (const [name, client] of clients) {
    const { ms, received } = await client.closed;
    t.diagnostic(`${name}: closed after ${secs(ms)}; normal requests meanwhile: slowest ${meanwhile.slowestMs.toFixed(1)} ms`);
    assert.match(received, /^HTTP\/1\.1 413 /, `${name}: ${JSON.stringify(received.slice(0, 40))}`);
    assert.match(received, /\r\nConnection: close\r\n/i, name);
    assert.match(received, /\r\ncross-origin-embedder-policy: require-corp\r\n/i, name);
    assert.ok(ms < QUICK_MS, `${name}: closed after ${ms} ms, not at once`);
  }
  assert.ok(meanwhile.slowestMs < QUICK_MS, `a normal request took ${meanwhile.slowestMs} ms meanwhile`);
});

test('a request with Content-Length: 0 is served as usual', async (t) => {
  const port = await startServer(t, makeSite(t));
  const res = await request(port, '/hello.txt', { headers: { 'Content-Length': '0' } });
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), 'hello\n');
});

test('a response the client stops reading is cut off when stalled, and any response after its time bound', async (t) => {
  // A sparse file far larger than the sockets' buffers: the client never reads
  // it, so the server's writes stall. Each bound is shortened to 1 s here to
  // test the mechanism; the real values are in LIMITS.
  const site = makeSite(t);
  const big = path.join(site.data, 'big.bin');
  fs.writeFileSync(big, '');
  fs.truncateSync(big, 1 << 30);
  const bounds = { stalled: { stalledMs: 1000 }, response: { responseMs: 1000 } };
  for (const [name, limits] of Object.entries(bounds)) {
    const server = await listeningServer(t, site, limits);
    const closedOnServer = new Promise((resolve) => server.once('connection', (socket) => {
      const started = performance.now();
      socket.on('close', () => resolve(performance.now() - started));
    }));
    const client = rawClient(t, server.address().port);
    await client.connected;
    client.socket.write('GET /data/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    client.socket.pause();
    const ms = await within(10000, closedOnServer, `the server to close the ${name} connection`);
    client.socket.resume();
    await client.closed;
    t.diagnostic(`${name}: a client not reading a 1 GiB file was cut off after ${secs(ms)} (bound ${secs(Object.values(limits)[0])})`);
    assert.match(client.received.toString('latin1'), /^HTTP\/1\.1 200 /);
    assert.ok(client.received.length < 1 << 30, `${name}: the whole file arrived`);
    assert.ok(ms < Object.values(limits)[0] + SLACK_MS, `${name}: closed after ${ms} ms`);
  }
});

test('connections beyond the cap are closed at once; the open ones keep being served', async (t) => {
  const server = await listeningServer(t, makeSite(t));
  const port = server.address().port;
  const get = 'GET /hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
  const open = [];
  // Each from its own address, so only the global cap is at stake.
  for (let i = 0; i < LIMITS.maxConnections; i++) open.push(rawClient(t, port, clientAddress(i)));
  await Promise.all(open.map(async (client) => {
    await client.connected;
    client.socket.write(get);
    assert.equal((await client.response()).status, 200);
  }));
  const extra = Array.from({ length: 5 }, (_, i) => rawClient(t, port, clientAddress(LIMITS.maxConnections + i)));
  for (const client of extra) {
    const { ms, received } = await within(SLACK_MS, client.closed, 'an extra connection to be closed');
    assert.equal(received, '', 'an extra connection got an answer');
    assert.ok(ms < QUICK_MS, `an extra connection closed after ${ms} ms`);
  }
  await Promise.all(open.map(async (client) => {
    client.socket.write(get);
    const res = await client.response();
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'hello\n');
  }));
  for (const client of open.slice(0, 10)) client.socket.destroy();
  await Promise.all(open.slice(0, 10).map((client) => client.closed));
  const count = () => new Promise((resolve) => server.getConnections((err, n) => resolve(n)));
  while ((await count()) >= LIMITS.maxConnections) await new Promise((resolve) => setTimeout(resolve, 20));
  const ms = await timedHello(port);
  t.diagnostic(`${LIMITS.maxConnections} connections served twice, 5 beyond the cap closed unanswered, ` +
    `a new one after 10 closed answered in ${ms.toFixed(1)} ms`);
});

test('5,000 requests at concurrency 50 from 50 client addresses: all 200 with the right bytes, no error', async (t) => {
  const site = makeSite(t);
  const port = await startServer(t, site);
  const files = {
    '/': INDEX_HTML,
    '/worker.js': fs.readFileSync(path.join(site.web, 'worker.js')),
    '/x.wasm': fs.readFileSync(path.join(site.web, 'x.wasm')),
    [LABELS_PATH]: LABELS_GZ,
  };
  const paths = Object.keys(files);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
  t.after(() => agent.destroy());
  const TOTAL = 5000;
  const CONCURRENCY = 50;
  const tally = { ok: 0, wrong: [], errors: [] };
  let next = 0;
  const one = (rawPath, localAddress) => new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: rawPath, agent, localAddress }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        if (res.statusCode === 200 && Buffer.concat(chunks).equals(Buffer.from(files[rawPath]))) tally.ok++;
        else tally.wrong.push(`${rawPath}: ${res.statusCode}`);
        resolve();
      });
      res.on('error', (err) => { tally.errors.push(err.message); resolve(); });
    });
    req.on('error', (err) => { tally.errors.push(err.message); resolve(); });
  });
  // One keep-alive connection per client address: the per-address cap is not at stake.
  const worker = async (address) => {
    while (next < TOTAL) await one(paths[next++ % paths.length], address);
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => worker(clientAddress(i))));
  const ms = performance.now() - started;
  t.diagnostic(`${TOTAL} requests at concurrency ${CONCURRENCY}: ${tally.ok} ok, ` +
    `${tally.wrong.length} wrong, ${tally.errors.length} errors, ${secs(ms)} (${Math.round(TOTAL / ms * 1000)}/s)`);
  assert.deepEqual(tally.errors.slice(0, 5), []);
  assert.deepEqual(tally.wrong.slice(0, 5), []);
  assert.equal(tally.ok, TOTAL);
});

/* ---------------------------- the command line ---------------------------- */

test('the CLI prints its URL and its limits, serves web/ and data/ beside it, is quiet, and stops on SIGTERM', async (t) => {
  const site = makeSite(t);
  const script = copyScript(site);
  const serve = spawnServe(t, script, { PORT: '0' });
  const line = await firstLine(serve);
  const match = URL_LINE.exec(line);
  assert.ok(match, `unexpected first line: ${line}`);
  const port = Number(match[1]);
  assert.ok(port > 0);
  const page = await request(port, '/');
  assert.equal(page.status, 200);
  assert.equal(page.body.toString(), INDEX_HTML);
  assertIsolationHeaders(page, 'the CLI');
  assert.deepEqual((await request(port, LABELS_PATH)).body, LABELS_GZ);
  serve.child.kill('SIGTERM');
  const { code } = await within(CHILD_TIMEOUT_MS, serve.exited, 'exit after SIGTERM');
  assert.equal(code, 0);
  const limitsLine = serve.output.stdout.split('\n')[1];
  assert.equal(serve.output.stdout, `${line}\n${limitsLine}\n`, 'not two lines on stdout');
  assert.ok(limitsLine.startsWith(`Limits: headers within ${LIMITS.headersMs / 1000} s and `), limitsLine);
  assert.ok(limitsLine.includes(`at most ${LIMITS.maxConnections} connections, ${LIMITS.maxPerAddress} from one address`), limitsLine);
  assert.equal(serve.output.stderr, '', 'stderr should be quiet without SERVE_LOG=1');
});

test('SERVE_LOG=1 logs one line per request, and per connection refused over either cap, to stderr', async (t) => {
  const site = makeSite(t);
  const script = copyScript(site);
  const serve = spawnServe(t, script, { PORT: '0', SERVE_LOG: '1' });
  const port = Number(URL_LINE.exec(await firstLine(serve))[1]);
  await request(port, '/');
  await request(port, '/missing.js');
  // Accepted in order: the cap for one address, then one more from it, refused;
  // then the global cap from other addresses, then one more, refused.
  const one = Array.from({ length: LIMITS.maxPerAddress }, () => rawClient(t, port, '127.0.0.2'));
  await Promise.all(one.map((client) => client.connected));
  await within(CHILD_TIMEOUT_MS, rawClient(t, port, '127.0.0.2').closed, 'the connection over the address cap to be closed');
  const others = Array.from({ length: LIMITS.maxConnections - LIMITS.maxPerAddress }, (_, i) => rawClient(t, port, clientAddress(i)));
  await Promise.all(others.map((client) => client.connected));
  await within(CHILD_TIMEOUT_MS, rawClient(t, port, '127.0.0.3').closed, 'the connection over the cap to be closed');
  serve.child.kill('SIGINT');
  assert.equal((await within(CHILD_TIMEOUT_MS, serve.exited, 'exit after SIGINT')).code, 0);
  const lines = serve.output.stderr.trim().split('\n');
  assert.equal(lines.length, 4, serve.output.stderr);
  assert.match(lines[0], /^GET \/ 200 /);
  assert.match(lines[1], /^GET \/missing\.js 404 /);
  assert.equal(lines[2], `serve: refused a connection from 127.0.0.2: ${LIMITS.maxPerAddress} already open from that address`);
  assert.equal(lines[3], `serve: refused a connection from 127.0.0.3: ${LIMITS.maxConnections} already open`);
});

test('a port already in use exits 1 with one line naming it and suggesting PORT=8001', async (t) => {
  const blocker = http.createServer();
  await new Promise((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => blocker.close(resolve)));
  const port = blocker.address().port;
  const serve = spawnServe(t, SCRIPT, { PORT: String(port) });
  const { code } = await within(CHILD_TIMEOUT_MS, serve.exited, 'exit on a taken port');
  assert.equal(code, 1);
  assert.equal(serve.output.stdout, '');
  const lines = serve.output.stderr.trim().split('\n');
  assert.equal(lines.length, 1, serve.output.stderr);
  assert.match(lines[0], new RegExp(`port ${port} .*in use`));
  assert.match(lines[0], /PORT=8001 make serve/);
});

test('a PORT that is not a port is refused before listening', async (t) => {
  const serve = spawnServe(t, SCRIPT, { PORT: 'eighty' });
  const { code } = await within(CHILD_TIMEOUT_MS, serve.exited, 'exit on a bad PORT');
  assert.equal(code, 2);
  assert.match(serve.output.stderr, /PORT must be a whole number/);
});
