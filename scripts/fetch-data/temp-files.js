'use strict';
/**
 * The files scripts/fetch-data.js writes: a temp name beside the target (so the final
 * rename stays on one filesystem), the mode every copy gets, and the temp files being
 * written right now, removed when the run is interrupted.
 *
 * Public: FILE_MODE, tempPathFor(target), isPresent(file), removeIfExists(file),
 * track(tmp) / untrack(tmp), removeTempFilesOnSignal().
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const path = require('node:path');

const FILE_MODE = 0o644; // copies must stay replaceable even if the source is 0444

// Temp files being written right now, so an interrupted run can remove them.
const activeTempFiles = new Set();

/** Temp name in the target folder, so the final rename stays on one filesystem. */
function tempPathFor(target) {
  const suffix = process.pid + '-' + crypto.randomBytes(4).toString('hex');
  return path.join(path.dirname(target), '.' + path.basename(target) + '.' + suffix + '.part');
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

function track(tmp) {
  activeTempFiles.add(tmp);
}

function untrack(tmp) {
  activeTempFiles.delete(tmp);
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

module.exports = { FILE_MODE, tempPathFor, isPresent, removeIfExists, track, untrack, removeTempFilesOnSignal };
