#!/usr/bin/env node
'use strict';
/**
 * The static development server behind `make serve`: `node scripts/serve.js`.
 *
 * URL layout:
 *   /          -> web/   the page, its worker, styles and the WebAssembly build
 *   /data/...  -> data/  the datasets `make data` fetches, kept gzipped, e.g.
 *                        /data/mnist/train-images-idx3-ubyte.gz
 * A directory serves its index.html (there are no listings). /data/ always
 * means data/, so a web/data/ folder would be hidden behind it.
 *
 * Every response carries COOP same-origin and COEP require-corp: the page is
 * then cross-origin isolated, which a threaded build needs for
 * SharedArrayBuffer. .gz files go out as application/gzip WITHOUT a
 * Content-Encoding header: the page decompresses the bytes itself, and with
 * that header the browser would unzip them before the page sees them.
 *
 * Limits (LIMITS below is their one home; the startup text prints them), so
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
 *               those already open are served as before.
 *
 * Environment: PORT (default 8000; 0 picks a free port), HOST (default
 * 127.0.0.1), SERVE_LOG=1 logs one line per request (and per refused
 * connection) to stderr. Node.js built-ins only.
 */

const fs = require('node:fs');
const fsp = require('node:fs/promises');
const http = require('node:http');
const path = require('node:path');
const { pipeline } = require('node:stream');

const DEFAULT_WEB_ROOT = path.resolve(__dirname, '..', 'web');
const DEFAULT_DATA_ROOT = path.resolve(__dirname, '..', 'data');
const DEFAULT_PORT = 8000;
const DEFAULT_HOST = '127.0.0.1';
const DATA_PREFIX = 'data';
const INDEX_FILE = 'index.html';
const ALLOWED_METHODS = 'GET, HEAD';

/**
 * Every limit of the server, in one place (the header comment says what each
 * bounds). createServer takes overrides for tests of the mechanism only.
 */
const LIMITS = Object.freeze({
  headersMs: 5000,        // the whole request (line and headers; no bodies) must arrive within this
  checkIntervalMs: 500,   // how often Node looks for requests over headersMs
  maxHeaderBytes: 16384,  // request line and headers together (Node's default, made explicit)
  responseMs: 60000,      // sending one response, from its request's arrival to its last byte
  stalledMs: 10000,       // nothing moving either way on a connection with a request under way
  keepAliveMs: 5000,      // an idle connection between requests
  maxConnections: 100,    // open at once; more are closed as soon as accepted
});

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.gz': 'application/gzip',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};
const DEFAULT_MIME_TYPE = 'application/octet-stream';

// Sent on every response, errors included: a 404 without COEP would be
// blocked by an isolated page and show up as a confusing network error.
const COMMON_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
};

// The final path component was resolved by realpath already; refusing to
// follow a symlink there closes the gap if one is swapped in before open().
// O_NONBLOCK keeps a FIFO from blocking open(); it is refused after fstat.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW || 0) | (fs.constants.O_NONBLOCK || 0);

/** An error that becomes a short plain-text response with this status. */
class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function mimeTypeFor(fileName) {
  return MIME_TYPES[path.extname(fileName).toLowerCase()] || DEFAULT_MIME_TYPE;
}

/** True if `target` is `root` or lies below it (both absolute and normalised). */
function isInside(root, target) {
  const relative = path.relative(root, target);
  if (relative === '') return true;
  return relative !== '..' && !relative.startsWith('..' + path.sep) && !path.isAbsolute(relative);
}

/**
 * The request path as a list of names, decoded exactly once, so `%252e`
 * stays the literal name `%2e`. Anything that tries to climb is refused here,
 * before the file system is asked; empty and `.` segments are dropped, which
 * makes `//etc/passwd` mean `etc/passwd` inside the root.
 */
function parseRequestPath(rawUrl) {
  const rawPath = rawUrl.split('?', 1)[0];
  if (!rawPath.startsWith('/')) throw new HttpError(400, 'Bad Request: the path must start with /');
  let decoded;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw new HttpError(400, 'Bad Request: malformed percent-encoding');
  }
  if (decoded.includes('\0')) throw new HttpError(400, 'Bad Request: NUL byte in path');
  // A backslash is a separator on Windows and never part of a name the page uses.
  if (decoded.includes('\\')) throw new HttpError(403, 'Forbidden');
  const segments = decoded.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw new HttpError(403, 'Forbidden');
  return { segments, trailingSlash: decoded.endsWith('/') };
}

/** Which folder a request is for, and the names below it. */
function routeRequest(segments, roots) {
  if (segments[0] === DATA_PREFIX) {
    return { root: roots.dataRoot, names: segments.slice(1), urlPrefix: [DATA_PREFIX] };
  }
  return { root: roots.webRoot, names: segments, urlPrefix: [] };
}

/**
 * Runs a file-system call with "not there" as 404 and "not allowed" as 403.
 * ELOOP is a symlink loop, or (with O_NOFOLLOW) a symlink swapped in late.
 */
async function withHttpErrors(fsCall) {
  try {
    return await fsCall();
  } catch (err) {
    if (['ENOENT', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG'].includes(err.code)) throw new HttpError(404, 'Not Found');
    if (err.code === 'EACCES' || err.code === 'EPERM') throw new HttpError(403, 'Forbidden');
    throw err;
  }
}

function realpathOrHttpError(file) {
  return withHttpErrors(() => fsp.realpath(file));
}

/** The real path of `file`, refused if a symlink leads it out of `realRoot`. */
async function realPathInside(realRoot, file) {
  const realFile = await realpathOrHttpError(file);
  if (!isInside(realRoot, realFile)) throw new HttpError(403, 'Forbidden: outside the served folder');
  return realFile;
}

/**
 * The file to send for a request: { file, name } with `file` a real path
 * inside the real root, or { redirect } for a directory named without its
 * trailing slash (its page's relative links would otherwise resolve one
 * level too high).
 */
async function findFile(parsed, roots) {
  const { root, names, urlPrefix } = routeRequest(parsed.segments, roots);
  const target = path.join(root, ...names);
  if (!isInside(root, target)) throw new HttpError(403, 'Forbidden');
  const realRoot = await realpathOrHttpError(root);
  const realTarget = await realPathInside(realRoot, target);
  const stats = await withHttpErrors(() => fsp.stat(realTarget));
  if (stats.isDirectory()) {
    const realIndex = await realPathInside(realRoot, path.join(realTarget, INDEX_FILE));
    if (!(await withHttpErrors(() => fsp.stat(realIndex))).isFile()) throw new HttpError(404, 'Not Found');
    if (!parsed.trailingSlash) {
      // Built from the checked names, never echoed from the request: a raw
      // `//host` would make the Location header point at another site.
      const location = '/' + [...urlPrefix, ...names].map(encodeURIComponent).join('/') + '/';
      return { redirect: location };
    }
    return { file: realIndex, name: INDEX_FILE };
  }
  if (!stats.isFile()) throw new HttpError(403, 'Forbidden: not a regular file');
  if (parsed.trailingSlash) throw new HttpError(404, 'Not Found');
  return { file: realTarget, name: names[names.length - 1] };
}

/** A weak validator from size and modification time, as most static servers use. */
function etagFor(stats) {
  return `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
}

function isNotModified(req, etag, mtime) {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    const bare = (tag) => tag.trim().replace(/^W\//, '');
    return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
  }
  const ifModifiedSince = Date.parse(req.headers['if-modified-since'] || '');
  // HTTP dates have whole seconds; the file's mtime has more.
  return !Number.isNaN(ifModifiedSince) && Math.floor(mtime.getTime() / 1000) * 1000 <= ifModifiedSince;
}

function sendText(req, res, status, text, extraHeaders = {}) {
  const body = Buffer.from(text + '\n');
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': body.length,
    ...extraHeaders,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendRedirect(req, res, location) {
  sendText(req, res, 301, `Moved Permanently: ${location}`, { Location: location });
}

/** Streams one file: opened once, sized from the open file, never read whole. */
async function sendFile(req, res, { file, name }) {
  const handle = await withHttpErrors(() => fsp.open(file, OPEN_FLAGS));
  let streaming = false;
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new HttpError(403, 'Forbidden: not a regular file');
    const etag = etagFor(stats);
    const headers = { 'Content-Type': mimeTypeFor(name), ETag: etag, 'Last-Modified': stats.mtime.toUTCString() };
    if (isNotModified(req, etag, stats.mtime)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Length': stats.size });
    if (req.method === 'HEAD' || stats.size === 0) {
      res.end();
      return;
    }
    // `end` pins the length to the Content-Length sent, even if the file grows.
    const stream = handle.createReadStream({ start: 0, end: stats.size - 1 });
    streaming = true; // the stream closes the handle from here on
    pipeline(stream, res, (err) => {
      if (err) res.destroy(); // client gone or read failed: a short body must not look complete
    });
  } finally {
    if (!streaming) await handle.close();
  }
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

/** The limits in words, for the startup text. */
function describeLimits(limits = LIMITS) {
  const s = (ms) => `${ms / 1000} s`;
  return `Limits: headers within ${s(limits.headersMs)} and ${limits.maxHeaderBytes / 1024} KiB, no request bodies (413), ` +
    `a response sent within ${s(limits.responseMs)} and never stalled ${s(limits.stalledMs)}, ` +
    `idle keep-alive ${s(limits.keepAliveMs)}, at most ${limits.maxConnections} connections`;
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
  const unknown = Object.keys(options.limits || {}).filter((name) => !Object.hasOwn(LIMITS, name));
  if (unknown.length) throw new Error(`createServer: unknown limit ${unknown.join(', ')}`);
  const limits = { ...LIMITS, ...options.limits };
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
  // `Expect: 100-continue` would otherwise be told to send its body first.
  server.on('checkContinue', onRequest);
  if (log) {
    server.on('drop', (info) => process.stderr.write(
      `serve: refused a connection from ${info.remoteAddress}: ${limits.maxConnections} already open\n`));
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
