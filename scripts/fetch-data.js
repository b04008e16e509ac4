#!/usr/bin/env node
'use strict';
/**
 * Fetch MNIST and Fashion-MNIST into data/<dataset>/ (four .gz files each, kept
 * gzipped as downloaded) and verify them against scripts/SHA256SUMS. The datasets,
 * their folders and file names come from common/datasets.js; the mirrors, retries
 * and checks are this script's own.
 *
 * The checksums cover the DECOMPRESSED content: mirrors wrap the same IDX bytes
 * in different gzip streams, so hashing the .gz itself would reject good files.
 *
 * Run `node scripts/fetch-data.js --help` for the command line and the
 * environment variables. Node.js built-ins only.
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const http = require('node:http');
const https = require('node:https');
const path = require('node:path');
const zlib = require('node:zlib');
const { Transform, Writable } = require('node:stream');
const { pipeline } = require('node:stream/promises');

const MnistDatasets = require('../common/datasets.js');

const DATASETS = MnistDatasets.IDS;
const FILE_NAMES = MnistDatasets.FILE_NAMES;

/** "mnist/t10k-labels-idx1-ubyte.gz": a file's place under data/ and a mirror, its name in SHA256SUMS. */
function fileKey(dataset, file) {
  return MnistDatasets.DATASETS[dataset].folder + file;
}

// Tried in order. Integrity comes from the checksums, not the transport, which
// is why a plain-HTTP mirror is acceptable.
const DEFAULT_BASE_URLS = {
  mnist: [
    'https://ossci-datasets.s3.amazonaws.com/mnist/',
    'https://storage.googleapis.com/cvdf-datasets/mnist/',
    // The historical host; it often refuses scripted downloads, so it goes last.
    'https://yann.lecun.com/exdb/mnist/',
  ],
  'fashion-mnist': [
    'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
    'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
  ],
};

const DEFAULTS = {
  retries: 2, // extra attempts per mirror after the first one
  retryDelayMs: 1000, // doubled after every failed attempt
  timeoutMs: 30000, // a connection with no traffic for this long is abandoned
  maxRedirects: 5,
};

const CHECKSUM_FILE = path.join(__dirname, 'SHA256SUMS');
const DEFAULT_DATA_DIR = path.resolve(__dirname, '..', 'data');
const USER_AGENT = 'mnist-wasm-fetch-data (node ' + process.version + ')';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const FILE_MODE = 0o644; // copies must stay replaceable even if the source is 0444
// Errors meaning the host could not be reached at all (as opposed to an HTTP answer).
const UNREACHABLE_CODES = new Set([
  'ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT',
]);

const HELP = `Usage: node scripts/fetch-data.js [${DATASETS.join('|')} ...] [--help]

Puts the four MNIST-format files of each dataset (default: both) into
data/<dataset>/, kept gzipped, and checks the SHA-256 of their decompressed
content against scripts/SHA256SUMS. Files that are already present and correct
are left alone; wrong or corrupt ones are replaced.

Environment:
  DATA_DIR=DIR            output folder (default: <repo>/data)
  DATA_MIRROR=DIR         copy from a local folder laid out as DIR/<dataset>/*.gz
                          instead of downloading (relative to the current dir);
                          a DIR/SHA256SUMS, if there is one, must agree with ours
  DATA_CHECKSUMS=FILE     verify against FILE instead of scripts/SHA256SUMS
                          (the tests use it for their own small files)
  DATA_FILES=a.gz,b.gz    only these of the four files
  DATA_BASE_URLS=JSON     mirror list per dataset, e.g.
                          {"mnist":["http://host/a/"],"fashion-mnist":[...]}
  DATA_RETRIES=N          extra attempts per mirror (default ${DEFAULTS.retries})
  DATA_RETRY_DELAY_MS=N   first back-off, doubled each retry (default ${DEFAULTS.retryDelayMs})
  DATA_TIMEOUT_MS=N       give up on a connection silent this long (default ${DEFAULTS.timeoutMs})

Exit status: 0 when every file is present and verified, 1 otherwise.
`;

// Temp files being written right now, so an interrupted run can remove them.
const activeTempFiles = new Set();

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

/** An Error that says whether trying the same URL again could help. */
function downloadError(message, retryable) {
  const err = new Error(message);
  err.retryable = retryable;
  return err;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function removeIfExists(file) {
  await fsp.rm(file, { force: true });
}

async function isPresent(file) {
  try {
    await fsp.lstat(file);
    return true;
  } catch (err) {
    if (err.code === 'ENOENT') return false;
    throw err;
  }
}

function formatBytes(n) {
  if (n >= 1024 * 1024) return (n / (1024 * 1024)).toFixed(1) + ' MiB';
  if (n >= 1024) return (n / 1024).toFixed(1) + ' KiB';
  return n + ' B';
}

/** Temp name in the target folder, so the final rename stays on one filesystem. */
function tempPathFor(target) {
  const suffix = process.pid + '-' + crypto.randomBytes(4).toString('hex');
  return path.join(path.dirname(target), '.' + path.basename(target) + '.' + suffix + '.part');
}

/* ------------------------------------------------------------------------ */
/* Configuration                                                            */
/* ------------------------------------------------------------------------ */

/** Parse "<sha256>  <dataset>/<file>" lines into a Map of name -> hex digest. */
function parseChecksums(text, source = 'SHA256SUMS') {
  const sums = new Map();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^([0-9a-fA-F]{64}) [ *](\S+)$/.exec(line);
    if (!match) {
      throw new Error(`${source}:${index + 1}: expected "<64 hex digits>  <dataset>/<file>", got: ${raw}`);
    }
    const [, digest, name] = match;
    if (sums.has(name)) throw new Error(`${source}:${index + 1}: ${name} is listed twice`);
    sums.set(name, digest.toLowerCase());
  });
  return sums;
}

function normalizeBaseUrl(value, where) {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${where}: not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${where}: only http and https URLs are supported, got ${value}`);
  }
  // File names are appended, so the base must end with a slash.
  return url.href.endsWith('/') ? url.href : url.href + '/';
}

/** DATA_BASE_URLS: JSON {dataset: [baseUrl, ...]}; datasets left out keep the defaults. */
function parseBaseUrls(json) {
  let parsed;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new Error(`DATA_BASE_URLS is not valid JSON (${err.message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('DATA_BASE_URLS must be a JSON object like {"mnist":["http://host/path/"]}');
  }
  const baseUrls = { ...DEFAULT_BASE_URLS };
  for (const [dataset, urls] of Object.entries(parsed)) {
    if (!DATASETS.includes(dataset)) {
      throw new Error(`DATA_BASE_URLS: unknown dataset "${dataset}" (known: ${DATASETS.join(', ')})`);
    }
    if (!Array.isArray(urls) || urls.length === 0) {
      throw new Error(`DATA_BASE_URLS.${dataset} must be a non-empty array of URLs`);
    }
    baseUrls[dataset] = urls.map((u, i) => normalizeBaseUrl(u, `DATA_BASE_URLS.${dataset}[${i}]`));
  }
  return baseUrls;
}

/** DATA_FILES: comma-separated subset of the four standard file names. */
function parseFileList(text) {
  const files = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (files.length === 0) throw new Error('DATA_FILES is empty');
  for (const file of files) {
    if (!FILE_NAMES.includes(file)) {
      throw new Error(`DATA_FILES: unknown file "${file}" (known: ${FILE_NAMES.join(', ')})`);
    }
  }
  return [...new Set(files)];
}

function parseNonNegativeInt(env, name, fallback) {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text.trim())) {
    throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
  }
  return Number(text.trim());
}

/** Options for fetchData() from environment variables; empty values count as unset. */
function optionsFromEnv(env = process.env, cwd = process.cwd()) {
  const timeoutMs = parseNonNegativeInt(env, 'DATA_TIMEOUT_MS', DEFAULTS.timeoutMs);
  if (timeoutMs === 0) throw new Error('DATA_TIMEOUT_MS must be at least 1');
  return {
    dataDir: env.DATA_DIR ? path.resolve(cwd, env.DATA_DIR) : DEFAULT_DATA_DIR,
    mirrorDir: env.DATA_MIRROR ? path.resolve(cwd, env.DATA_MIRROR) : null,
    checksumFile: env.DATA_CHECKSUMS ? path.resolve(cwd, env.DATA_CHECKSUMS) : CHECKSUM_FILE,
    baseUrls: env.DATA_BASE_URLS ? parseBaseUrls(env.DATA_BASE_URLS) : DEFAULT_BASE_URLS,
    files: env.DATA_FILES ? parseFileList(env.DATA_FILES) : FILE_NAMES,
    retries: parseNonNegativeInt(env, 'DATA_RETRIES', DEFAULTS.retries),
    retryDelayMs: parseNonNegativeInt(env, 'DATA_RETRY_DELAY_MS', DEFAULTS.retryDelayMs),
    timeoutMs,
  };
}

/** Command line: dataset names (default all) or --help. */
function parseArgs(argv) {
  const datasets = [];
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') return { help: true, datasets: [] };
    if (arg.startsWith('-')) throw new Error(`unknown option ${arg} (try --help)`);
    if (!DATASETS.includes(arg)) {
      throw new Error(`unknown dataset "${arg}" (known: ${DATASETS.join(', ')})`);
    }
    if (!datasets.includes(arg)) datasets.push(arg);
  }
  return { help: false, datasets: datasets.length > 0 ? datasets : [...DATASETS] };
}

/* ------------------------------------------------------------------------ */
/* Verification                                                             */
/* ------------------------------------------------------------------------ */

/** SHA-256 (hex) of the decompressed content of a .gz file, streamed. */
async function hashGzipContent(file) {
  const hash = crypto.createHash('sha256');
  const sink = new Writable({
    write(chunk, _encoding, done) {
      hash.update(chunk);
      done();
    },
  });
  await pipeline(fs.createReadStream(file), zlib.createGunzip(), sink);
  return hash.digest('hex');
}

function isZlibError(err) {
  return typeof err.code === 'string' && err.code.startsWith('Z_');
}

/**
 * Check a .gz against the expected digest of its content.
 * Resolves {ok, kind: 'checksum'|'gzip', message}; I/O errors reject.
 */
async function verifyGzipFile(file, expected) {
  let actual;
  try {
    actual = await hashGzipContent(file);
  } catch (err) {
    if (!isZlibError(err)) throw err;
    return { ok: false, kind: 'gzip', message: `not a valid gzip file (gzip error: ${err.message})` };
  }
  if (actual === expected) return { ok: true, actual };
  return {
    ok: false,
    kind: 'checksum',
    actual,
    message: `checksum mismatch (SHA-256 of decompressed content): expected ${expected}, actual ${actual}`,
  };
}

/* ------------------------------------------------------------------------ */
/* Progress display                                                         */
/* ------------------------------------------------------------------------ */

/**
 * Progress on `stream`: on a TTY one line redrawn with \r (at most every 100 ms);
 * otherwise (CI logs) a line at 25/50/75/100 % for big files and one final line
 * for small ones, so logs stay short.
 */
function createProgress(stream, label, totalBytes) {
  const isTTY = Boolean(stream && stream.isTTY);
  const quarterLines = totalBytes !== null && totalBytes >= 1024 * 1024;
  let received = 0;
  let lastDrawMs = 0;
  let nextQuarter = 1;
  let finished = false;

  function describe() {
    if (totalBytes === null) return `${label}: ${formatBytes(received)}`;
    const percent = totalBytes === 0 ? 100 : Math.floor((received * 100) / totalBytes);
    return `${label}: ${formatBytes(received)} / ${formatBytes(totalBytes)} (${percent}%)`;
  }

  function drawTTY(force) {
    const now = Date.now();
    if (!force && now - lastDrawMs < 100) return;
    lastDrawMs = now;
    stream.write('\r' + describe() + '\x1b[K');
  }

  function printQuarters() {
    while (nextQuarter <= 3 && received * 4 >= totalBytes * nextQuarter) {
      stream.write(describe() + '\n');
      nextQuarter += 1;
    }
  }

  return {
    get received() {
      return received;
    },
    add(bytes) {
      received += bytes;
      if (!stream) return;
      if (isTTY) drawTTY(false);
      else if (quarterLines) printQuarters();
    },
    /** Final line; `complete` false means the transfer broke off. */
    finish(complete = true) {
      if (finished || !stream) return;
      finished = true;
      const suffix = complete ? '' : ' (interrupted)';
      if (isTTY) stream.write('\r' + describe() + suffix + '\x1b[K\n');
      else stream.write(describe() + suffix + '\n');
    },
  };
}

/* ------------------------------------------------------------------------ */
/* HTTP download                                                            */
/* ------------------------------------------------------------------------ */

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
      url = next;
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

/* ------------------------------------------------------------------------ */
/* Local mirror                                                             */
/* ------------------------------------------------------------------------ */

async function copyFromMirror(mirrorDir, key, tmp, expected) {
  const source = path.join(mirrorDir, key);
  try {
    await fsp.copyFile(source, tmp);
  } catch (err) {
    if (err.code === 'ENOENT') throw new Error(`not found in DATA_MIRROR: ${source}`);
    throw err;
  }
  const verdict = await verifyGzipFile(tmp, expected);
  if (!verdict.ok) throw new Error(`${source}: ${verdict.message}`);
  return source;
}

/**
 * A mirror that ships its own SHA256SUMS (as ../shared/datasets does) must list the
 * same files with the same digests as ours: otherwise one of the two is out of date.
 */
async function checkMirrorChecksums(mirrorDir, checksums, checksumFile) {
  const file = path.join(mirrorDir, 'SHA256SUMS');
  let text;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return;
    throw err;
  }
  const theirs = parseChecksums(text, file);
  const names = [...new Set([...checksums.keys(), ...theirs.keys()])].sort();
  const differ = names.filter((name) => checksums.get(name) !== theirs.get(name));
  if (differ.length > 0) throw new Error(`${file} disagrees with ${checksumFile} on ${differ.join(', ')}`);
}

/* ------------------------------------------------------------------------ */
/* Orchestration                                                            */
/* ------------------------------------------------------------------------ */

/**
 * Make sure data/<dataset>/<file> is present and verified.
 * Resolves {key, status: 'cached'|'copied'|'downloaded', source?}.
 */
async function ensureFile(dataset, file, context) {
  const key = fileKey(dataset, file);
  const expected = context.checksums.get(key);
  if (!expected) throw new Error(`no checksum for ${key} in ${context.checksumFile}`);
  const target = path.join(context.dataDir, key);

  if (await isPresent(target)) {
    const verdict = await verifyGzipFile(target, expected);
    if (verdict.ok) {
      await fsp.chmod(target, FILE_MODE).catch(() => {}); // best effort; content is what counts
      return { key, status: 'cached' };
    }
    context.warn(`${key}: existing file is bad, replacing it: ${verdict.message}`);
    await fsp.rm(target, { force: true, recursive: true });
  }

  await fsp.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  activeTempFiles.add(tmp);
  try {
    let result;
    if (context.mirrorDir) {
      const source = await copyFromMirror(context.mirrorDir, key, tmp, expected);
      result = { key, status: 'copied', source };
    } else {
      const urls = context.baseUrls[dataset];
      const source = await downloadFromMirrors(urls, file, tmp, expected, { ...context, key });
      result = { key, status: 'downloaded', source };
    }
    await fsp.chmod(tmp, FILE_MODE);
    await fsp.rename(tmp, target); // only verified content ever reaches the final name
    return result;
  } finally {
    activeTempFiles.delete(tmp);
    await removeIfExists(tmp);
  }
}

function describeResult(result) {
  if (result.status === 'cached') return `${result.key}: ok (cached)`;
  if (result.status === 'copied') return `${result.key}: ok (copied from ${result.source})`;
  return `${result.key}: ok (downloaded from ${result.source})`;
}

/**
 * Fetch and verify files. Options: datasets, files, dataDir, mirrorDir,
 * baseUrls, retries, retryDelayMs, timeoutMs, maxRedirects, checksumFile,
 * log(line), warn(line), progressStream. Never throws for a single file:
 * resolves one result per file, failed ones with status 'failed' and error.
 */
async function fetchData(options = {}) {
  const context = {
    datasets: DATASETS,
    files: FILE_NAMES,
    dataDir: DEFAULT_DATA_DIR,
    mirrorDir: null,
    baseUrls: DEFAULT_BASE_URLS,
    checksumFile: CHECKSUM_FILE,
    log: () => {},
    warn: () => {},
    progressStream: null,
    ...DEFAULTS,
    ...options,
    unreachableMirrors: new Map(), // base URL -> last error, shared by all files of this run
  };
  if (context.mirrorDir && !fs.statSync(context.mirrorDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`DATA_MIRROR: no such directory: ${context.mirrorDir}`);
  }
  const text = await fsp.readFile(context.checksumFile, 'utf8');
  context.checksums = parseChecksums(text, context.checksumFile);
  if (context.mirrorDir) await checkMirrorChecksums(context.mirrorDir, context.checksums, context.checksumFile);

  const results = [];
  for (const dataset of context.datasets) {
    for (const file of context.files) {
      try {
        const result = await ensureFile(dataset, file, context);
        context.log(describeResult(result));
        results.push(result);
      } catch (err) {
        const key = fileKey(dataset, file);
        context.warn(`${key}: FAILED: ${err.message}`);
        results.push({ key, status: 'failed', error: err.message });
      }
    }
  }
  return results;
}

function summarize(results, dataDir) {
  const failed = results.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    const names = failed.map((r) => r.key).join(', ');
    return `fetch-data: FAILED ${failed.length} of ${results.length} files: ${names}`;
  }
  const counts = ['cached', 'copied', 'downloaded']
    .map((status) => [status, results.filter((r) => r.status === status).length])
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`);
  return `fetch-data: ${results.length} files ok (${counts.join(', ')}) in ${dataDir}`;
}

/** CLI entry; resolves the exit code. */
async function main(argv, env = process.env, io = { stdout: process.stdout, stderr: process.stderr }) {
  const fatal = (message) => {
    io.stderr.write(`fetch-data: error: ${message}\n`);
    return 1;
  };
  let args;
  let envOptions;
  try {
    args = parseArgs(argv);
    if (args.help) {
      io.stdout.write(HELP);
      return 0;
    }
    envOptions = optionsFromEnv(env, process.cwd());
  } catch (err) {
    return fatal(err.message);
  }
  let results;
  try {
    results = await fetchData({
      ...envOptions,
      datasets: args.datasets,
      log: (line) => io.stdout.write(line + '\n'),
      warn: (line) => io.stderr.write(line + '\n'),
      progressStream: io.stderr,
    });
  } catch (err) {
    return fatal(err.message);
  }
  const summary = summarize(results, envOptions.dataDir);
  const ok = results.every((r) => r.status !== 'failed');
  (ok ? io.stdout : io.stderr).write(summary + '\n');
  if (!ok && !envOptions.mirrorDir) {
    const folders = DATASETS.map((d) => MnistDatasets.DATASETS[d].folder).join(' and ');
    io.stderr.write(`fetch-data: hint: offline? copy from a local mirror: DATA_MIRROR=DIR (with ${folders} inside)\n`);
  }
  return ok ? 0 : 1;
}

/** On Ctrl-C / kill, remove half-written temp files before exiting. */
function removeTempFilesOnSignal() {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      for (const tmp of activeTempFiles) fs.rmSync(tmp, { force: true });
      process.stderr.write(`\nfetch-data: interrupted (${signal})\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

module.exports = {
  DEFAULT_BASE_URLS,
  DEFAULTS,
  CHECKSUM_FILE,
  DEFAULT_DATA_DIR,
  fileKey,
  parseChecksums,
  parseBaseUrls,
  parseFileList,
  parseArgs,
  optionsFromEnv,
  hashGzipContent,
  verifyGzipFile,
  createProgress,
  downloadOnce,
  fetchData,
  summarize,
  main,
};

if (require.main === module) {
  removeTempFilesOnSignal();
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
