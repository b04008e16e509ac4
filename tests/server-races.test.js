'use strict';
/**
 * The dev server (scripts/serve.js) under races: a folder inside the root swapped for a
 * symlink out of it while requests run, and slow clients from one address reconnecting
 * as soon as they are cut off while another address asks for pages.
 * Run: node --test tests/server-races.test.js
 *
 * The counts are bounded (a few thousand requests), never timed: each race is run for
 * as many requests as it takes, and what is asserted is what no request may ever see.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { test } = require('node:test');

const { LIMITS } = require('../scripts/serve.js');
const { openInside } = require('../scripts/serve/open-inside.js');
const { clientOf } = require('../scripts/serve/address-cap.js');
const { limitsWith } = require('../scripts/serve/limits.js');
const {
  SECRET, CHILD_TIMEOUT_MS, QUICK_MS, SLACK_MS, writeFile, makeSite, listeningServer, startServer, request, rawClient,
  within,
} = require('./server-helpers');

const INSIDE = 'inside\n';
const SWAP_REQUESTS = 4000;
const SWAP_CONCURRENCY = 16;
const OTHER_ADDRESS = '127.0.0.2'; // Linux routes all of 127/8 to lo: another client to the server
const SLOW_CLIENTS = 150;
const NORMAL_REQUESTS = 40;

/**
 * A child process that flips web/flip between the real folder and a symlink to
 * `outside`, as fast as it can, until `stop()`; `stop()` resolves the flip count.
 * Renames only, so each state is whole (flip is briefly absent between them).
 */
function startFlipper(t, web, outside) {
  const stopFile = path.join(path.dirname(web), 'stop-flipping');
  const script = `
    const fs = require('node:fs');
    const [flip, held, link, outside, stopFile] = process.argv.slice(1);
    fs.symlinkSync(outside, link);
    process.stdout.write('ready\\n');
    const until = Date.now() + 120000; // never outlives a lost parent for long
    let flips = 0;
    while (Date.now() < until && (flips % 64 !== 0 || !fs.existsSync(stopFile))) {
      fs.renameSync(flip, held); fs.renameSync(link, flip);   // flip leads outside
      fs.renameSync(flip, link); fs.renameSync(held, flip);   // and is a real folder again
      flips++;
    }
    process.stdout.write(flips + '\\n');
  `;
  const args = ['flip', 'flip-held', 'flip-link'].map((name) => path.join(web, name));
  const child = spawn(process.execPath, ['-e', script, ...args, outside, stopFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (text) => { out += text; });
  const exited = new Promise((resolve) => child.on('close', resolve));
  const ready = new Promise((resolve, reject) => {
    child.stdout.on('data', () => { if (out.includes('ready\n')) resolve(); });
    exited.then((code) => reject(new Error(`the flipper exited (${code}) before starting`)));
  });
  const stop = async () => {
    fs.writeFileSync(stopFile, '');
    const code = await within(CHILD_TIMEOUT_MS * 4, exited, 'the flipper to stop');
    assert.equal(code, 0, 'the flipper failed');
    return Number(out.trim().split('\n').pop());
  };
  return { ready: within(CHILD_TIMEOUT_MS, ready, 'the flipper to start'), stop };
}

test('a folder swapped for a symlink out of the root while requests run never serves the outside', async (t) => {
  const site = makeSite(t);
  const outside = path.join(site.dir, 'outside');
  writeFile(path.join(outside, 'f.txt'), SECRET);
  writeFile(path.join(site.web, 'flip', 'f.txt'), INSIDE);
  const port = await startServer(t, site);
  const flipper = startFlipper(t, site.web, outside);
  await flipper.ready;
  const agent = new http.Agent({ keepAlive: true, maxSockets: SWAP_CONCURRENCY });
  t.after(() => agent.destroy());
  const statuses = {};
  let leaked = 0;
  let next = 0;
  const one = () => new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/flip/f.txt', agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
        if (Buffer.concat(chunks).toString().includes(SECRET)) leaked++;
        resolve();
      });
      res.on('error', reject);
    }).on('error', reject);
  });
  const worker = async () => {
    while (next++ < SWAP_REQUESTS) await one();
  };
  await Promise.all(Array.from({ length: SWAP_CONCURRENCY }, worker));
  const flips = await flipper.stop();
  t.diagnostic(`${SWAP_REQUESTS} requests during ${flips} flips: ${leaked} returned the outside file; ` +
    `statuses ${JSON.stringify(statuses)}`);
  assert.ok(flips > 0, 'the folder was never flipped');
  assert.equal(leaked, 0, `${leaked} of ${SWAP_REQUESTS} responses returned the file outside the root`);
  // Whatever the timing, each request gets the inside file or a refusal.
  const unexpected = Object.keys(statuses).filter((status) => !['200', '403', '404'].includes(status));
  assert.deepEqual(unexpected, []);
});

test('with and without /proc, openInside opens inside files and links, and refuses links out', async (t) => {
  // Without /proc (the portable fallback) the check is repeated around the open: it
  // narrows the race above but cannot close it, so only the static cases are asserted.
  const site = makeSite(t);
  fs.symlinkSync(path.join(site.dir, 'secret.txt'), path.join(site.web, 'link-out.txt'));
  fs.symlinkSync(site.dir, path.join(site.web, 'dir-out'));
  fs.symlinkSync('hello.txt', path.join(site.web, 'link-in.txt'));
  fs.symlinkSync(path.join(site.web, 'sub'), path.join(site.web, 'dir-in'));
  const realRoot = fs.realpathSync(site.web);
  const cases = {
    'hello.txt': 'hello\n', 'link-in.txt': 'hello\n', 'dir-in/index.html': '<p>sub</p>\n',
    'link-out.txt': 403, 'dir-out/secret.txt': 403, 'missing.txt': 404,
  };
  for (const procFd of [true, false]) {
    for (const [name, expected] of Object.entries(cases)) {
      const what = `${name} (procFd ${procFd})`;
      const outcome = await openInside(realRoot, path.join(site.web, name), { procFd }).then(
        async ({ handle }) => { try { return await handle.readFile('utf8'); } finally { await handle.close(); } },
        (err) => err.status);
      assert.equal(outcome, expected, what);
    }
  }
});

/**
 * Slow clients from `address`: each connects, sends nothing, and connects again as
 * soon as it is closed (by the header limit, or at once when refused), until `stop()`.
 */
function reconnectingSlowClients(port, address, count) {
  let stopped = false;
  const sockets = new Set();
  let connections = 0;
  const connect = () => {
    if (stopped) return;
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: address });
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      setImmediate(connect);
    });
  };
  for (let i = 0; i < count; i++) connect();
  return {
    connections: () => connections,
    stop: () => {
      stopped = true;
      for (const socket of sockets) socket.destroy();
    },
  };
}

test('slow clients reconnecting from one address cannot shut out another address', async (t) => {
  const server = await listeningServer(t, makeSite(t));
  const port = server.address().port;
  const slow = reconnectingSlowClients(port, OTHER_ADDRESS, SLOW_CLIENTS);
  t.after(() => slow.stop());
  // Wait until the slow clients hold all they can: their connections are refused.
  const refusals = { count: 0 };
  server.on('drop', () => { refusals.count++; });
  await within(CHILD_TIMEOUT_MS * 4, new Promise((resolve) => {
    const check = () => (refusals.count > 0 ? resolve() : setTimeout(check, 20));
    check();
  }), 'the slow clients to reach their cap');
  const failures = [];
  for (let i = 0; i < NORMAL_REQUESTS; i++) {
    const res = await request(port, '/hello.txt').catch((err) => ({ status: err.code || err.message }));
    if (res.status !== 200) failures.push(res.status);
  }
  slow.stop();
  t.diagnostic(`${SLOW_CLIENTS} slow clients from ${OTHER_ADDRESS} made ${slow.connections()} connections ` +
    `(${refusals.count} refused); ${NORMAL_REQUESTS - failures.length} of ${NORMAL_REQUESTS} normal requests ` +
    `from 127.0.0.1 served`);
  assert.deepEqual(failures, [], 'normal requests failed while another address held its connections');
});

test('one address holds at most maxPerAddress connections; more from it are reset, others are served', async (t) => {
  const server = await listeningServer(t, makeSite(t));
  const port = server.address().port;
  const get = 'GET /hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
  const served = async (client) => {
    await client.connected;
    client.socket.write(get);
    const res = await within(SLACK_MS, client.response(), 'a response');
    assert.equal(res.status, 200);
  };
  const held = Array.from({ length: LIMITS.maxPerAddress }, () => rawClient(t, port, OTHER_ADDRESS));
  await Promise.all(held.map(served));
  for (let i = 0; i < 3; i++) {
    const extra = rawClient(t, port, OTHER_ADDRESS);
    const { ms, received } = await within(SLACK_MS, extra.closed, 'a connection over the address cap to be closed');
    assert.equal(received, '', 'a connection over the address cap got an answer');
    assert.ok(ms < QUICK_MS, `a connection over the address cap closed after ${ms} ms`);
  }
  await served(rawClient(t, port, '127.0.0.3'));
  assert.equal((await request(port, '/hello.txt')).status, 200);
  // One of the address's connections closes: it may open another.
  const count = () => new Promise((resolve) => server.getConnections((err, n) => resolve(n)));
  const before = await count();
  held[0].socket.destroy();
  await within(SLACK_MS, (async () => {
    while ((await count()) >= before) await new Promise((resolve) => setTimeout(resolve, 20));
  })(), 'the server to see the connection closed');
  await served(rawClient(t, port, OTHER_ADDRESS));
  await Promise.all(held.slice(1).map(async (client) => {
    client.socket.write(get);
    assert.equal((await within(SLACK_MS, client.response(), 'a response')).status, 200);
  }));
});

test('a client is its IPv4 address or its IPv6 /64; the per-address cap stays below the global one', () => {
  assert.equal(clientOf('127.0.0.2'), '127.0.0.2');
  assert.equal(clientOf('::ffff:10.1.2.3'), '10.1.2.3');
  assert.equal(clientOf('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(clientOf('2001:db8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
  assert.equal(clientOf('2001:0db8:0001:0002::9'), '2001:db8:1:2::/64');
  assert.equal(clientOf('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(clientOf('::1'), '0:0:0:0::/64');
  assert.equal(clientOf('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(clientOf(undefined), null);
  assert.ok(LIMITS.maxPerAddress < LIMITS.maxConnections);
  assert.throws(() => limitsWith({ maxPerAddress: LIMITS.maxConnections }), /maxPerAddress .* must be below maxConnections/);
  assert.throws(() => limitsWith({ maxPerAddress: 0 }), /positive whole number/);
  assert.throws(() => limitsWith({ bogus: 1 }), /unknown limit bogus/);
});
