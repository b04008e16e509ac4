#!/usr/bin/env node
'use strict';
/**
 * Writes a script-loadable copy beside every dataset file: data/<set>/<file>.gz.js,
 * a classic script that does
 *   (self.MNIST_DATA_FILES = self.MNIST_DATA_FILES || {})["<set>/<file>.gz"] = "<base64>";
 * A page opened from file:// may not fetch() local files, but it may load
 * <script src>, so this is how web/index.html gets MNIST with no server and no
 * user action. Copies newer than their .gz are left alone.
 *
 * Usage: node scripts/embed-data.js [DATA_DIR]   (default: <repo>/data)
 */
const fs = require('node:fs');
const path = require('node:path');

const { DATASETS, IDS, FILE_NAMES } = require('../common/datasets.js');

/** key: "<folder>/<file>", the file's place under dataDir and its name for the page. */
function embedFile(dataDir, key) {
  const source = path.join(dataDir, key);
  const target = `${source}.js`;
  if (!fs.existsSync(source)) return 'missing';
  if (fs.existsSync(target) && fs.statSync(target).mtimeMs >= fs.statSync(source).mtimeMs) return 'up to date';
  const text = `(self.MNIST_DATA_FILES = self.MNIST_DATA_FILES || {})[${JSON.stringify(key)}] = ` +
    `${JSON.stringify(fs.readFileSync(source).toString('base64'))};\n`;
  fs.writeFileSync(`${target}.tmp`, text);
  fs.renameSync(`${target}.tmp`, target);
  return 'written';
}

function embedAll(dataDir) {
  const results = [];
  for (const id of IDS) {
    for (const file of FILE_NAMES) {
      const key = DATASETS[id].folder + file;
      results.push({ file: `${key}.js`, status: embedFile(dataDir, key) });
    }
  }
  return results;
}

if (require.main === module) {
  const dataDir = path.resolve(process.argv[2] || path.join(__dirname, '..', 'data'));
  const results = embedAll(dataDir);
  const written = results.filter((r) => r.status === 'written').length;
  const missing = results.filter((r) => r.status === 'missing').map((r) => r.file);
  console.log(`embed-data: ${written} written, ${results.length - written - missing.length} up to date` +
    (missing.length ? `, ${missing.length} skipped (no .gz: ${missing.join(', ')})` : ''));
}

module.exports = { embedAll, embedFile };
