'use strict';
/**
 * The dev server's answers: sendFile(req, res, { handle, stats, name }) streams an open
 * file (a 304 when the client's copy is current), sendText(req, res, status, text,
 * extraHeaders) a short plain-text one, sendRedirect(req, res, location) a 301; and
 * MIME_TYPES, the Content-Type of each extension served.
 */

const path = require('node:path');
const { pipeline } = require('node:stream');

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

function mimeTypeFor(fileName) {
  return MIME_TYPES[path.extname(fileName).toLowerCase()] || DEFAULT_MIME_TYPE;
}

/** A weak validator from size and modification time, as most static servers use. */
function etagFor(size, mtimeMs) {
  return `W/"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
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

/**
 * Streams one open file (`stats` its fstat, as BigIntStats), sized from the open file
 * and never read whole. Takes ownership of `handle`: closed when done, whatever happens.
 */
async function sendFile(req, res, { handle, stats, name }) {
  let streaming = false;
  try {
    const size = Number(stats.size);
    const etag = etagFor(size, Number(stats.mtimeMs));
    const headers = { 'Content-Type': mimeTypeFor(name), ETag: etag, 'Last-Modified': stats.mtime.toUTCString() };
    if (isNotModified(req, etag, stats.mtime)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Length': size });
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    // `end` pins the length to the Content-Length sent, even if the file grows.
    const stream = handle.createReadStream({ start: 0, end: size - 1 });
    streaming = true; // the stream closes the handle from here on
    pipeline(stream, res, (err) => {
      if (err) res.destroy(); // client gone or read failed: a short body must not look complete
    });
  } finally {
    if (!streaming) await handle.close();
  }
}

module.exports = { sendFile, sendText, sendRedirect, MIME_TYPES };
