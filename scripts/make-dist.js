#!/usr/bin/env node
'use strict';
/**
 * Writes a self-contained static site: the page, its styles and its one script
 * (web/build/page.js: the page's modules, the worker's and both WebAssembly modules),
 * and both datasets (the .gz files for servers and the script-loadable .gz.js copies
 * for file://). Copy the folder to any static host as it is, or open its index.html
 * from disk.
 *
 * Usage: node scripts/make-dist.js [OUT]   (default: build/dist; run `make dist`)
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const WEB = path.join(ROOT, 'web');
const DATA = path.join(ROOT, 'data');
const { DATASETS, IDS, FILE_NAMES } = require('../common/datasets.js');
// Sources of the page; web/README.md and web/PROTOCOL.md are documentation.
const WEB_ENTRIES = ['index.html', 'styles.css', 'build/page.js', 'build/mnist.wasm'];

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.cpSync(from, to, { recursive: true });
}

function makeDist(out) {
  const missing = WEB_ENTRIES.map((e) => path.join(WEB, e)).filter((p) => !fs.existsSync(p));
  if (missing.length) throw new Error(`missing ${missing.map((p) => path.relative(ROOT, p)).join(', ')}: run make`);
  fs.rmSync(out, { recursive: true, force: true });
  for (const entry of WEB_ENTRIES) copy(path.join(WEB, entry), path.join(out, entry));
  // Every dataset file, gzipped (for servers) and as a script (for file://).
  const data = IDS.flatMap((id) => FILE_NAMES.flatMap((file) => [file, `${file}.js`].map((n) => DATASETS[id].folder + n)));
  const absent = data.filter((name) => !fs.existsSync(path.join(DATA, name)));
  if (absent.length) throw new Error(`missing ${absent.map((n) => `data/${n}`).join(', ')}: run make data`);
  for (const name of data) copy(path.join(DATA, name), path.join(out, 'data', name));
  return data.length;
}

if (require.main === module) {
  const out = path.resolve(process.argv[2] || path.join(ROOT, 'build', 'dist'));
  try {
    const files = makeDist(out);
    console.log(`dist: ${path.relative(process.cwd(), out)}/ (page and its bundle, ${files} data files); ` +
      `copy it to any static host, or open ${path.relative(process.cwd(), path.join(out, 'index.html'))} from disk`);
  } catch (error) {
    console.error(`make-dist: ${error.message}`);
    process.exit(1);
  }
}

module.exports = { makeDist };
