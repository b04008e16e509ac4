'use strict';
/**
 * A local mirror (DATA_MIRROR=DIR, laid out as DIR/<dataset>/*.gz): a file copied from it
 * and verified, and the mirror's own SHA256SUMS, if it has one, checked against ours.
 *
 * Public: copyFromMirror(mirrorDir, key, tmp, expected) -> source path,
 * checkMirrorChecksums(mirrorDir, checksums, checksumFile).
 */

const fsp = require('node:fs/promises');
const path = require('node:path');

const { parseChecksums, verifyGzipFile } = require('./verify.js');

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

module.exports = { copyFromMirror, checkMirrorChecksums };
