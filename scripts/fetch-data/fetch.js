'use strict';
/**
 * The whole fetch: every file of every dataset asked for made present and verified in
 * data/<dataset>/ (kept if already good, else copied from DATA_MIRROR or downloaded),
 * and the one-line summary of the results. Only verified content ever reaches a file's
 * final name.
 *
 * Public: fetchData(options) -> [{key, status: 'cached'|'copied'|'downloaded'|'failed',
 * source?, error?}], summarize(results, dataDir) -> text.
 */

const fs = require('node:fs');
const fsp = require('node:fs/promises');
const path = require('node:path');

const { DEFAULT_BASE_URLS, DEFAULTS, CHECKSUM_FILE, DEFAULT_DATA_DIR, DATASETS, FILE_NAMES, fileKey } = require('./options.js');
const { parseChecksums, verifyGzipFile } = require('./verify.js');
const { downloadFromMirrors } = require('./download.js');
const { copyFromMirror, checkMirrorChecksums } = require('./mirror.js');
const { FILE_MODE, tempPathFor, isPresent, removeIfExists, track, untrack } = require('./temp-files.js');

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
  track(tmp);
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
    untrack(tmp);
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

module.exports = { fetchData, summarize };
