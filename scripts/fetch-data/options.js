'use strict';
/**
 * What scripts/fetch-data.js fetches and from where: the mirror list, the defaults, the
 * command line and the DATA_* environment, checked and turned into fetchData() options.
 * The datasets, their folders and file names come from common/datasets.js.
 *
 * Public: DEFAULT_BASE_URLS, DEFAULTS, CHECKSUM_FILE, DEFAULT_DATA_DIR, DATASETS, FILE_NAMES,
 * HELP, fileKey(dataset, file), parseBaseUrls(json), parseFileList(text), parseArgs(argv),
 * optionsFromEnv(env, cwd).
 */

const path = require('node:path');

const MnistDatasets = require('../../common/datasets.js');

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

const SCRIPTS = path.resolve(__dirname, '..');
const CHECKSUM_FILE = path.join(SCRIPTS, 'SHA256SUMS');
const DEFAULT_DATA_DIR = path.resolve(SCRIPTS, '..', 'data');

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

/** "mnist/ and fashion-mnist/": the folders a local mirror holds, for the offline hint. */
function mirrorFolders() {
  return DATASETS.map((d) => MnistDatasets.DATASETS[d].folder).join(' and ');
}

module.exports = {
  DEFAULT_BASE_URLS, DEFAULTS, CHECKSUM_FILE, DEFAULT_DATA_DIR, DATASETS, FILE_NAMES, HELP,
  fileKey, parseBaseUrls, parseFileList, parseArgs, optionsFromEnv, mirrorFolders,
};
