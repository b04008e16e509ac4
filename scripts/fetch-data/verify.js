'use strict';
/**
 * The checks a data file passes: the SHA256SUMS list (parsed), and a .gz whose
 * DECOMPRESSED content has the listed SHA-256. Mirrors wrap the same IDX bytes in
 * different gzip streams, so hashing the .gz itself would reject good files.
 *
 * Public: parseChecksums(text, source) -> Map(name -> hex), hashGzipContent(file) -> hex,
 * verifyGzipFile(file, expected) -> {ok, kind?, actual?, message?}.
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const zlib = require('node:zlib');
const { Writable } = require('node:stream');
const { pipeline } = require('node:stream/promises');

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

module.exports = { parseChecksums, hashGzipContent, verifyGzipFile };
