#!/usr/bin/env node
'use strict';
/**
 * Fetch MNIST and Fashion-MNIST into data/<dataset>/ (four .gz files each, kept
 * gzipped as downloaded) and verify them against scripts/SHA256SUMS. The datasets,
 * their folders and file names come from common/datasets.js; the mirrors, retries
 * and checks are this script's own, in scripts/fetch-data/:
 *   options.js     the mirror list, defaults, command line and DATA_* environment
 *   fetch.js       the whole fetch: each file kept, copied or downloaded; the summary
 *   download.js    HTTP(S) downloads with redirects, timeouts and retries over mirrors
 *   mirror.js      copying from a local mirror (DATA_MIRROR) and checking its SHA256SUMS
 *   verify.js      SHA256SUMS parsing and the SHA-256 of a .gz's decompressed content
 *   progress.js    progress output
 *   temp-files.js  temp files beside their target, removed on interruption
 *
 * This file is the command line: `node scripts/fetch-data.js --help` lists its
 * arguments and environment variables. It exports the modules' public functions for
 * the tests. Node.js built-ins only.
 */

const options = require('./fetch-data/options.js');
const { fetchData, summarize } = require('./fetch-data/fetch.js');
const { parseChecksums, hashGzipContent, verifyGzipFile } = require('./fetch-data/verify.js');
const { createProgress } = require('./fetch-data/progress.js');
const { downloadOnce } = require('./fetch-data/download.js');
const { removeTempFilesOnSignal } = require('./fetch-data/temp-files.js');

/** CLI entry; resolves the exit code. */
async function main(argv, env = process.env, io = { stdout: process.stdout, stderr: process.stderr }) {
  const fatal = (message) => {
    io.stderr.write(`fetch-data: error: ${message}\n`);
    return 1;
  };
  let args;
  let envOptions;
  try {
    args = options.parseArgs(argv);
    if (args.help) {
      io.stdout.write(options.HELP);
      return 0;
    }
    envOptions = options.optionsFromEnv(env, process.cwd());
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
    io.stderr.write(`fetch-data: hint: offline? copy from a local mirror: DATA_MIRROR=DIR (with ${options.mirrorFolders()} inside)\n`);
  }
  return ok ? 0 : 1;
}

module.exports = {
  DEFAULT_BASE_URLS: options.DEFAULT_BASE_URLS,
  DEFAULTS: options.DEFAULTS,
  CHECKSUM_FILE: options.CHECKSUM_FILE,
  DEFAULT_DATA_DIR: options.DEFAULT_DATA_DIR,
  fileKey: options.fileKey,
  parseChecksums,
  parseBaseUrls: options.parseBaseUrls,
  parseFileList: options.parseFileList,
  parseArgs: options.parseArgs,
  optionsFromEnv: options.optionsFromEnv,
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
