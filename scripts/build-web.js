#!/usr/bin/env node
'use strict';
/**
 * Bundles one of the browser's two contexts with esbuild: its ES modules, from its entry,
 * into one classic script (IIFE), so that the page works from file:// as well as from a
 * server (a page opened from disk may load neither ES modules nor a worker file).
 *
 *   worker   web/worker/main.js -> web/build/worker.js   (the text that becomes the page's
 *            worker through a Blob URL: scripts/build-bundle.js puts it in web/build/assets.js)
 *   page     web/js/app.js      -> web/build/page.js     (imports web/build/assets.js: build it first)
 *
 * Usage: node scripts/build-web.js worker|page [OUT]   (the Makefile runs it)
 */
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const ENTRIES = {
  worker: { entry: 'web/worker/main.js', out: 'web/build/worker.js' },
  page: { entry: 'web/js/app.js', out: 'web/build/page.js' },
};
// The browsers the page supports: WebAssembly SIMD needs Chromium 91 and Firefox 89.
const TARGET = ['chrome110', 'firefox115'];

async function buildWeb(context, outfile) {
  const spec = ENTRIES[context];
  if (!spec) throw new Error(`unknown context '${context}' (worker or page)`);
  const esbuild = require('esbuild');
  const out = path.resolve(outfile || path.join(ROOT, spec.out));
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, spec.entry)],
    outfile: out,
    bundle: true,
    format: 'iife',
    target: TARGET,
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  return { out, inputs: Object.keys(result.metafile.inputs).length, bytes: result.metafile.outputs[path.relative(process.cwd(), out)]?.bytes };
}

if (require.main === module) {
  const [context, outfile] = process.argv.slice(2);
  buildWeb(context, outfile).then((r) => {
    console.log(`${context}: ${path.relative(process.cwd(), r.out)} (${r.inputs} modules${r.bytes ? `, ${r.bytes} bytes` : ''})`);
  }, (error) => {
    console.error(`build-web: ${error.message}`);
    process.exit(1);
  });
}

module.exports = { buildWeb, ENTRIES };
