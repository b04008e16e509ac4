#!/usr/bin/env node
'use strict';
/**
 * The static development server behind `make serve`: `node scripts/serve.js`.
 * API: createServer(options) -> http.Server, LIMITS, MIME_TYPES,
 * DEFAULT_WEB_ROOT, DEFAULT_DATA_ROOT. Its parts are in scripts/serve/.
 *
 * URL layout:
 *   /          -> web/   the page, its worker, styles and the WebAssembly build
 *   /data/...  -> data/  the datasets `make data` fetches, kept gzipped, e.g.
 *                        /data/mnist/train-images-idx3-ubyte.gz
 * A directory serves its index.html (there are no listings). /data/ always
 * means data/, so a web/data/ folder would be hidden behind it. `..` is
 * refused (403); empty and `.` segments are dropped (`/.` and `//` are `/`),
 * and a redirect's Location never starts with `//` (another host).
 *
 * What is served is what was checked: each file is opened, then the OPEN
 * file's real path must lie inside its folder and name that very file
 * (scripts/serve/open-inside.js), and it is read from that descriptor only.
 * So a folder swapped for a symlink out between check and open is refused.
 *
 * Every response carries COOP same-origin and COEP require-corp: the page is
 * then cross-origin isolated, which a threaded build needs for
 * SharedArrayBuffer. .gz files go out as application/gzip WITHOUT a
 * Content-Encoding header: the page decompresses the bytes itself, and with
 * that header the browser would unzip them before the page sees them.
 *
 * Limits (scripts/serve/limits.js is their one home; the startup text prints them), so
 * a slow or greedy client never holds the server or delays anyone else:
 *   headers     the request line and headers must all arrive within 5 s of
 *               the request's first byte (or of the connection, for a client
 *               that sends nothing): 408 and closed. Node checks every
 *               0.5 s, so such a client goes within 5.5 s.
 *   no bodies   the server takes none: a request that declares one
 *               (Content-Length above 0, or any Transfer-Encoding) gets 413
 *               at once and its connection is closed, before a byte of the
 *               body is read. Headers above 16 KiB are refused by Node (431).
 *   response    sending a response may take at most 60 s in all (a client
 *               reading very slowly), and nothing may move on a connection
 *               for 10 s while a response is under way: the connection is
 *               closed.
 *   keep-alive  a connection idle between requests closes after 5 s
 *               (advertised as Keep-Alive: timeout=5; Node waits 1 s more).
 *   connections at most 100 open at once: one more is closed as soon as it
 *               is accepted, with no response (the client sees a reset);
 *               those already open are served as before. At most 20 of
 *               them from one address (an IPv6 /64), reset the same way,
 *               so a client that reconnects as soon as it is cut off
 *               cannot take the others' place.
 *
 * Environment: PORT (default 8000; 0 picks a free port), HOST (default
 * 127.0.0.1), SERVE_LOG=1 logs one line per request (and per refused
 * connection) to stderr. Node.js built-ins only.
 */

const fs = require('node:fs');
const fsp = require('node:fs/promises');
const http = require('node:http');
const path = require('node:path');

const { LIMITS, limitsWith, describeLimits } = require('./serve/limits.js');
const { HttpError, withHttpErrors } = require('./serve/http-error.js');
const { parseRequestPath, routeRequest, directoryLocation, isInside } = require('./serve/request-path.js');
const { openInside } = require('./serve/open-inside.js');
const { sendFile, sendText, sendRedirect, MIME_TYPES } = require('./serve/respond.js');
const { capPerAddress } = require('./serve/address-cap.js');

const DEFAULT_WEB_ROOT = path.resolve(__dirname, '..', 'web');
const DEFAULT_DATA_ROOT = path.resolve(__dirname, '..', 'data');
const DEFAULT_PORT = 8000;
const DEFAULT_HOST = '127.0.0.1';
const INDEX_FILE = 'index.html';
const ALLOWED_METHODS = 'GET, HEAD';

// Sent on every response, errors included: a 404 without COEP would be
// blocked by an isolated page and show up as a confusing network error.
const COMMON_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
};

/** Opens a folder's index.html below `realRoot`: a regular file, else 404. */
async function openIndex(realRoot, realFolder) {
  const index = await openInside(realRoot, path.join(realFolder, INDEX_FILE));
  if (!index.stats.isFile()) {
    await index.handle.close();
    throw new HttpError(404, 'Not Found');
  }
  return index;
}

/**
 * What to send for a request: { handle, stats, name }, an open regular file
 * checked to lie inside its root (the caller sends it, which closes it), or
 * { redirect } for a folder named without its trailing slash (its page's
 * relative links would otherwise resolve one level too high).
 */
async function findFile(parsed, roots) {
  const { root, names, urlPrefix } = routeRequest(parsed.segments, roots);
  const target = path.join(root, ...names);
  if (!isInside(root, target)) throw new HttpError(403, 'Forbidden');
  const realRoot = await withHttpErrors(() => fsp.realpath(root));
  const opened = await openInside(realRoot, target);
  if (opened.stats.isFile()) {
    if (parsed.trailingSlash) {
      await opened.handle.close();
      throw new HttpError(404, 'Not Found');
    }
    return { ...opened, name: names[names.length - 1] };
  }
  await opened.handle.close();
  if (!opened.stats.isDirectory()) throw new HttpError(403, 'Forbidden: not a regular file');
  const index = await openIndex(realRoot, opened.realPath);
  if (parsed.trailingSlash) return { ...index, name: INDEX_FILE };
  await index.handle.close();
  return { redirect: directoryLocation([...urlPrefix, ...names]) };
}

/** Whether a request declares a body: any Transfer-Encoding, or a Content-Length above 0. */
function declaresBody(req) {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) !== 0);
}

async function handleRequest(req, res, roots) {
  if (declaresBody(req)) {
    // Answered before a byte of the body is read; with Connection: close Node
    // closes the connection once this is sent, so the body is never waited for.
    sendText(req, res, 413, 'Payload Too Large: this server takes no request bodies', { Connection: 'close' });
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(req, res, 405, 'Method Not Allowed', { Allow: ALLOWED_METHODS });
    return;
  }
  const found = await findFile(parseRequestPath(req.url), roots);
  if (found.redirect) sendRedirect(req, res, found.redirect);
  else await sendFile(req, res, found);
}

/** One line per finished request: method, path, status, milliseconds. */
function logWhenFinished(req, res, stream) {
  const started = process.hrtime.bigint();
  res.on('close', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // Printable ASCII only, so a crafted path cannot write to the terminal.
    const url = req.url.replace(/[^\x20-\x7e]/g, '?');
    const aborted = res.writableFinished ? '' : ' (aborted)';
    stream.write(`${req.method} ${url} ${res.statusCode} ${ms.toFixed(1)}ms${aborted}\n`);
  });
}

function reportFailure(req, res, err) {
  if (err instanceof HttpError) {
    if (!res.headersSent) sendText(req, res, err.status, `${err.status} ${err.message}`);
    else res.destroy();
    return;
  }
  process.stderr.write(`serve: error: ${req.method} ${req.url}: ${err.stack || err}\n`);
  if (!res.headersSent) sendText(req, res, 500, '500 Internal Server Error');
  else res.destroy();
}

/** Closes the connection of a response still unfinished after `ms`. */
function boundResponseTime(req, res, ms) {
  const timer = setTimeout(() => req.socket.destroy(), ms);
  res.on('close', () => clearTimeout(timer));
}

/**
 * An http.Server (not yet listening) for the two folders.
 * options: webRoot, dataRoot (folders; default <repo>/web and <repo>/data),
 * log (true: one line per request to stderr; default SERVE_LOG=1),
 * limits (overrides of LIMITS' fields, for tests).
 */
function createServer(options = {}) {
  const roots = {
    webRoot: path.resolve(options.webRoot || DEFAULT_WEB_ROOT),
    dataRoot: path.resolve(options.dataRoot || DEFAULT_DATA_ROOT),
  };
  const log = options.log !== undefined ? Boolean(options.log) : process.env.SERVE_LOG === '1';
  const limits = limitsWith(options.limits);
  const onRequest = (req, res) => {
    for (const [name, value] of Object.entries(COMMON_HEADERS)) res.setHeader(name, value);
    if (log) logWhenFinished(req, res, process.stderr);
    boundResponseTime(req, res, limits.responseMs);
    handleRequest(req, res, roots).catch((err) => reportFailure(req, res, err));
  };
  const server = http.createServer({
    headersTimeout: limits.headersMs,
    requestTimeout: limits.headersMs, // no bodies: the whole request is its headers
    connectionsCheckingInterval: limits.checkIntervalMs,
    maxHeaderSize: limits.maxHeaderBytes,
    keepAliveTimeout: limits.keepAliveMs,
  }, onRequest);
  server.timeout = limits.stalledMs;
  server.maxConnections = limits.maxConnections;
  capPerAddress(server, limits.maxPerAddress);
  // `Expect: 100-continue` would otherwise be told to send its body first.
  server.on('checkContinue', onRequest);
  if (log) {
    server.on('drop', (info) => process.stderr.write(`serve: refused a connection from ${info.remoteAddress}: ` +
      (info.perAddress ? `${limits.maxPerAddress} already open from that address\n` : `${limits.maxConnections} already open\n`)));
  }
  return server;
}

/** PORT as a number, DEFAULT_PORT when unset, null when not a port. */
function parsePort(text) {
  if (text === undefined || text.trim() === '') return DEFAULT_PORT;
  if (!/^\d+$/.test(text.trim())) return null;
  const port = Number(text.trim());
  return port <= 65535 ? port : null;
}

function urlFor(host, port) {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
}

function listenFailureMessage(err, host, port) {
  if (err.code === 'EADDRINUSE') {
    return `port ${port} on ${host} is already in use (another server running?); ` +
      `stop it or pick another port, e.g. PORT=${port === 8001 ? 8002 : 8001} make serve`;
  }
  if (err.code === 'EACCES') return `no permission to listen on port ${port}; use a port above 1023, e.g. PORT=8001 make serve`;
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') return `cannot listen on host ${host} (HOST=${host}): ${err.code}`;
  return `cannot listen on ${host}:${port}: ${err.message}`;
}

/** Ctrl-C or kill: stop accepting, drop open keep-alive connections, exit 0. */
function stopOnSignals(server) {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      server.close(() => process.exit(0));
      server.closeAllConnections();
    });
  }
}

function main(env = process.env) {
  const port = parsePort(env.PORT);
  if (port === null) {
    process.stderr.write(`serve: error: PORT must be a whole number from 0 to 65535, got ${JSON.stringify(env.PORT)}\n`);
    process.exitCode = 2;
    return;
  }
  const host = env.HOST || DEFAULT_HOST;
  const server = createServer();
  server.once('error', (err) => {
    process.stderr.write(`serve: error: ${listenFailureMessage(err, host, port)}\n`);
    process.exit(1);
  });
  server.listen(port, host, () => {
    process.stdout.write(`Serving mnist-wasm at ${urlFor(host, server.address().port)} (Ctrl-C to stop)\n`);
    process.stdout.write(`${describeLimits()}\n`);
    if (!fs.existsSync(path.join(DEFAULT_WEB_ROOT, INDEX_FILE))) {
      process.stderr.write('serve: note: web/index.html does not exist yet, so / answers 404\n');
    }
  });
  stopOnSignals(server);
}

module.exports = { createServer, LIMITS, DEFAULT_WEB_ROOT, DEFAULT_DATA_ROOT, MIME_TYPES };

if (require.main === module) main();
