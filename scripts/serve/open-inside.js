'use strict';
/**
 * Opens a file or folder below a root so that what is served is what was checked:
 *   openInside(realRoot, candidate, { procFd }) -> { handle, stats, realPath }
 * realRoot is the root's real path; candidate an absolute path below the root, which
 * may pass through symlinks (those that stay inside are allowed). The caller owns
 * `handle` (a FileHandle) and must close it; `stats` are the open file's (BigIntStats).
 *
 * The steps: the candidate's real path must lie inside the root (else 403, and nothing
 * outside is opened); that path is opened without following a final symlink; then the
 * OPENED descriptor is checked, since a parent folder swapped for a symlink between the
 * check and the open is followed by open(): the descriptor's real path must lie inside
 * the root (else 403) and name the very file that is open (same device and inode as
 * fstat; else 403). That real path is the kernel's own (/proc/self/fd/N, Linux); where
 * there is no /proc it is the candidate's real path taken again after the open, whose
 * identity must then match: an outside file opened through a swapped folder is never
 * the file found inside afterwards. Anything read is read from this descriptor.
 */

const fs = require('node:fs');
const fsp = require('node:fs/promises');
const { HttpError, withHttpErrors } = require('./http-error.js');
const { isInside } = require('./request-path.js');

// Refusing to follow a symlink in the final component closes the gap if one is swapped
// in there after realpath. O_NONBLOCK keeps a FIFO from blocking open(); the caller
// refuses anything that is not a regular file or a folder after fstat.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW || 0) | (fs.constants.O_NONBLOCK || 0);
const PROC_FD = process.platform === 'linux';

const outside = () => new HttpError(403, 'Forbidden: outside the served folder');

/** The kernel's real path of what `handle` has open (Linux), or null where /proc cannot say. */
async function kernelPathOf(handle) {
  const kernel = await fsp.readlink(`/proc/self/fd/${handle.fd}`).catch(() => null);
  // A file deleted since the open reads as "<path> (deleted)": refused by the identity check.
  return kernel !== null && kernel.startsWith('/') ? kernel : null;
}

/** Refuses `handle` unless its file lies inside `realRoot`; resolves its real path. */
async function verifyOpen(realRoot, handle, stats, candidate, procFd) {
  const kernel = procFd ? await kernelPathOf(handle) : null;
  const realPath = kernel ?? await fsp.realpath(candidate).catch(() => null);
  if (realPath === null || !isInside(realRoot, realPath)) throw outside();
  const named = await fsp.lstat(realPath, { bigint: true }).catch(() => null);
  if (named === null || named.dev !== stats.dev || named.ino !== stats.ino) throw outside();
  // Without the kernel's word, the lstat above resolved realPath afresh, through
  // folders that may have been swapped out and back since: resolve it once more.
  if (kernel === null && (await fsp.realpath(candidate).catch(() => null)) !== realPath) throw outside();
  return realPath;
}

async function openInside(realRoot, candidate, { procFd = PROC_FD } = {}) {
  const checked = await withHttpErrors(() => fsp.realpath(candidate));
  if (!isInside(realRoot, checked)) throw outside();
  const handle = await withHttpErrors(() => fsp.open(checked, OPEN_FLAGS));
  try {
    const stats = await handle.stat({ bigint: true });
    const realPath = await verifyOpen(realRoot, handle, stats, candidate, procFd);
    return { handle, stats, realPath };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

module.exports = { openInside };
