'use strict';
/**
 * Downloading one data file over HTTP(S): one GET with redirects, a silence timeout and
 * a length check (downloadOnce), and the mirrors of a dataset tried in order with
 * retries and a doubling back-off until a download passes its checksum
 * (downloadFromMirrors).
 *
 * Public: downloadOnce(url, dest, options) -> final URL,
 * downloadFromMirrors(baseUrls, file, tmp, expected, options) -> final URL.
 */

const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const { Transform } = require('node:stream');
const { pipeline } = require('node:stream/promises');

const { DEFAULTS } = require('./options.js');
const { createProgress, formatBytes } = require('./progress.js');
const { FILE_MODE, removeIfExists } = require('./temp-files.js');
const { verifyGzipFile } = require('./verify.js');

const USER_AGENT = 'mnist-wasm-fetch-data (node ' + process.version + ')';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Errors meaning the host could not be reached at all (as opposed to an HTTP answer).
const UNREACHABLE_CODES = new Set([
  'ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT',
]);

/** An Error that says whether trying the same URL again could help. */
function downloadError(message, retryable) {
  const err = new Error(message);
  err.retryable = retryable;
  return err;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Send a GET and resolve once the response headers arrive. `state.timeoutError`
 * is set when the socket went quiet for timeoutMs (while connecting, waiting or
 * reading the body), so later stream errors can be reported as the timeout.
 */
function openRequest(url, timeoutMs) {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const state = { timeoutError: null };
    const request = client.get(url, {
      agent: false, // no keep-alive: one connection per file, closed when done
      timeout: timeoutMs,
      headers: { 'user-agent': USER_AGENT },
    });
    request.on('timeout', () => {
      state.timeoutError = downloadError(`timed out (no data for ${timeoutMs} ms)`, true);
      state.timeoutError.unreachable = true;
      request.destroy(state.timeoutError);
    });
    request.on('response', (response) => resolve({ response, state }));
    // Stays attached after the response, so late errors are never unhandled.
    request.on('error', (err) => reject(state.timeoutError || err));
  });
}

function parseContentLength(header) {
  if (header === undefined || !/^\d+$/.test(header)) return null;
  return Number(header);
}

/** Stream a 200 response body into `dest`, with progress and a length check. */
async function saveBody(response, state, dest, { label, progressStream }) {
  const total = parseContentLength(response.headers['content-length']);
  const progress = createProgress(progressStream, label, total);
  const counter = new Transform({
    transform(chunk, _encoding, done) {
      progress.add(chunk.length);
      done(null, chunk);
    },
  });
  const output = fs.createWriteStream(dest, { mode: FILE_MODE });
  let writeError = null; // a local disk problem is not the mirror's fault
  output.on('error', (err) => {
    writeError = err;
  });
  try {
    await pipeline(response, counter, output);
  } catch (err) {
    progress.finish(false);
    if (state.timeoutError) throw state.timeoutError;
    if (writeError) throw downloadError(`cannot write ${dest}: ${writeError.message}`, false);
    throw downloadError(`connection lost after ${formatBytes(progress.received)} (${err.message})`, true);
  }
  progress.finish(true);
  if (total !== null && progress.received !== total) {
    throw downloadError(`truncated: received ${progress.received} of ${total} bytes`, true);
  }
}

/** The next URL of a redirect answer, or an Error that says why it cannot be followed. */
function redirectTarget(response, url, redirects, maxRedirects) {
  const status = response.statusCode;
  const location = response.headers.location;
  if (!location) throw downloadError(`HTTP ${status} redirect without a Location header`, false);
  if (redirects >= maxRedirects) {
    throw downloadError(`too many redirects (more than ${maxRedirects}), last to ${location}`, false);
  }
  let next;
  try {
    next = new URL(location, url);
  } catch {
    throw downloadError(`HTTP ${status} redirect to an invalid URL: ${location}`, false);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw downloadError(`redirect to unsupported URL ${next.href}`, false);
  }
  return next;
}

/**
 * One attempt: GET `startUrl` into `dest`, following at most maxRedirects
 * redirects. Resolves the final URL; rejects with err.retryable set for
 * errors worth another try (network, timeout, 5xx).
 */
async function downloadOnce(startUrl, dest, options) {
  const { timeoutMs, maxRedirects = DEFAULTS.maxRedirects } = options;
  let url = new URL(startUrl);
  for (let redirects = 0; ; redirects += 1) {
    const { response, state } = await openRequest(url, timeoutMs);
    const status = response.statusCode;
    if (REDIRECT_STATUSES.has(status)) {
      response.resume(); // discard the body so the socket is released
      url = redirectTarget(response, url, redirects, maxRedirects);
      continue;
    }
    if (status !== 200) {
      response.resume();
      const where = url.href === startUrl ? '' : ` (at ${url.href})`;
      // 4xx other than these will not change on retry, so go to the next mirror.
      const retryable = status >= 500 || status === 429 || status === 408;
      throw downloadError(`HTTP ${status} ${response.statusMessage || ''}`.trim() + where, retryable);
    }
    await saveBody(response, state, dest, options);
    return url.href;
  }
}

function isUnreachable(err) {
  return err.unreachable === true || UNREACHABLE_CODES.has(err.code);
}

/**
 * Try every mirror in order, each up to 1 + retries times with a doubling
 * back-off, until a download passes the checksum. A wrong checksum or a broken
 * gzip is not retried on the same mirror (it would come back the same) but the
 * next mirror still gets its chance. A mirror that could not be reached on any
 * attempt is recorded in `unreachableMirrors` and skipped for later files, so
 * an offline run fails in seconds, not minutes. Rejects listing every attempt.
 */
async function downloadFromMirrors(baseUrls, file, tmp, expected, options) {
  const { key, retries, retryDelayMs, warn, unreachableMirrors } = options;
  const failures = [];
  for (const base of baseUrls) {
    const url = base + file;
    if (unreachableMirrors.has(base)) {
      failures.push(`${url}: skipped, unreachable earlier in this run (${unreachableMirrors.get(base)})`);
      continue;
    }
    for (let attempt = 1; attempt <= retries + 1; attempt += 1) {
      try {
        const finalUrl = await downloadOnce(url, tmp, { ...options, label: key });
        const verdict = await verifyGzipFile(tmp, expected);
        if (!verdict.ok) throw downloadError(verdict.message, false);
        return finalUrl;
      } catch (err) {
        await removeIfExists(tmp);
        const retryable = err.retryable !== false;
        const willRetry = retryable && attempt <= retries;
        const note = `${url}: ${err.message} (attempt ${attempt}/${retries + 1})`;
        failures.push(note);
        warn(`${key}: ${note}${willRetry ? ', retrying' : ''}`);
        if (!willRetry) {
          if (isUnreachable(err) && attempt === retries + 1) unreachableMirrors.set(base, err.message);
          break;
        }
        await sleep(retryDelayMs * 2 ** (attempt - 1));
      }
    }
  }
  throw new Error(`could not download ${key}; tried:\n    ${failures.join('\n    ')}`);
}

module.exports = { downloadOnce, downloadFromMirrors };
