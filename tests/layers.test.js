'use strict';
/**
 * The project's layers, read from the source: `tests/ → bench/ → scripts/ → (common/, web/,
 * src/)`. A file may import from its own layer or a lower one, never a higher one (scripts
 * never import bench or tests, bench never imports tests; common/ and web/ import none of
 * the three). Every require() and import of a .js file in those folders is read; a path
 * that is not a literal cannot be checked, so it fails too (packages excepted). And the C
 * core has no include circle: no file in src/core includes a file that includes it back,
 * directly or through others.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const ROOT = path.resolve(__dirname, '..');
// Higher imports lower: a file may import a folder of its rank or below.
const RANK = { tests: 3, bench: 2, scripts: 1, common: 0, web: 0, src: 0 };
const SKIP_DIRS = new Set(['node_modules', 'build']); // installed packages, generated bundles

function jsFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIP_DIRS.has(entry.name) ? [] : jsFiles(full);
    return /\.[cm]?js$/.test(entry.name) ? [full] : [];
  });
}

/** The source without its comments (a usage example in a comment is not an import). */
function withoutComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Every module a source names: { spec, literal } (literal: false for a computed path). */
function importsOf(text) {
  const source = withoutComments(text);
  const found = [];
  for (const m of source.matchAll(/\b(?:require|import)\s*\(\s*([^)]*?)\s*[,)]/g)) {
    const arg = m[1];
    const literal = /^(['"`])([^'"`$]+)\1$/.exec(arg);
    if (literal) found.push({ spec: literal[2], literal: true });
    else if (/^require\.resolve\(\s*['"][^./'"][^'"]*['"]/.test(arg)) found.push({ spec: arg, literal: true, pkg: true });
    else found.push({ spec: arg, literal: false });
  }
  for (const m of source.matchAll(/\b(?:import|export)\s[^;'"]*?\bfrom\s*(['"])([^'"]+)\1/g)) found.push({ spec: m[2], literal: true });
  for (const m of source.matchAll(/\bimport\s*(['"])([^'"]+)\1/g)) found.push({ spec: m[2], literal: true });
  return found;
}

/** The layer (top folder) of a path inside the project, or null outside the ranked ones. */
function layerOf(file) {
  const top = path.relative(ROOT, file).split(path.sep)[0];
  return top in RANK ? top : null;
}

/** Every import of the sources ([{file, text}]) that goes up a layer, or cannot be
 *  checked: ["file -> spec: why", ...]. */
function wrongImports(sources) {
  const wrong = [];
  for (const { file, text } of sources) {
    const from = layerOf(file), where = path.relative(ROOT, file);
    for (const { spec, literal, pkg } of importsOf(text)) {
      if (!literal) {
        wrong.push(`${where}: require/import of a computed path (${spec}): write the path as a literal`);
        continue;
      }
      if (pkg || !/^\.{1,2}\//.test(spec)) continue; // node: built-ins and packages
      const to = layerOf(path.resolve(path.dirname(file), spec));
      if (to && RANK[to] > RANK[from]) wrong.push(`${where} -> ${spec}: ${from}/ must not import ${to}/`);
    }
  }
  return wrong;
}

test('imports go down the layers only: tests/ -> bench/ -> scripts/ -> common/, web/, src/', () => {
  const sources = Object.keys(RANK).flatMap((dir) => jsFiles(path.join(ROOT, dir)))
    .filter((file) => file !== __filename) // this file's probe below holds wrong imports on purpose
    .map((file) => ({ file, text: fs.readFileSync(file, 'utf8') }));
  assert.ok(sources.length > 50, `only ${sources.length} files found`);
  const seen = sources.flatMap((s) => importsOf(s.text)).filter((i) => i.literal && /^\.{1,2}\//.test(i.spec));
  assert.ok(seen.length > 50, `only ${seen.length} relative imports found: the scan is broken`);
  assert.deepEqual(wrongImports(sources), []);
});

test('the layer check sees every form of import, and flags upward and computed ones', () => {
  const file = path.join(ROOT, 'scripts', 'lib', 'probe.js'); // not written: its text is checked as if it were
  const text = [
    "const a = require('../../tests/helpers.js');",
    "import b from '../../bench/run.js';",
    "export { c } from '../../web/js/app.js';",
    "import '../../tests/run.js';",
    "const d = await import('../../bench/cnn.js');",
    "const e = require(path.join(ROOT, 'tests'));",
    "const f = require('node:fs'), g = require('playwright-core');",
    "// require('../../tests/in-a-comment.js')",
  ].join('\n');
  const wrong = wrongImports([{ file, text }]);
  assert.equal(wrong.length, 5, wrong.join('\n'));
  assert.match(wrong.join('\n'), /tests\/helpers\.js: scripts\/ must not import tests\//);
  assert.match(wrong.join('\n'), /bench\/run\.js: scripts\/ must not import bench\//);
  assert.match(wrong.join('\n'), /computed path/);
});

/** The files a C file includes ("..." only), resolved from its folder. */
function includesOf(file) {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*#\s*include\s+"([^"]+)"/gm)].map((m) => path.resolve(path.dirname(file), m[1]));
}

/** Include circles reachable from `files`: each as "a.h -> b.h -> a.h". */
function includeCircles(files) {
  const circles = [];
  const state = new Map(); // file -> 'open' while on the path, 'done' after
  const visit = (file, trail) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      const loop = trail.slice(trail.indexOf(file)).concat(file);
      circles.push(loop.map((f) => path.relative(ROOT, f)).join(' -> '));
      return;
    }
    state.set(file, 'open');
    for (const next of includesOf(file)) if (fs.existsSync(next)) visit(next, trail.concat(file));
    state.set(file, 'done');
  };
  files.forEach((f) => visit(f, []));
  return circles;
}

test('src/core has no include circle', () => {
  const core = path.join(ROOT, 'src', 'core');
  const files = fs.readdirSync(core).filter((n) => /\.[ch]$/.test(n)).map((n) => path.join(core, n));
  assert.ok(files.some((f) => includesOf(f).length > 0), 'no #include found: the scan is broken');
  assert.deepEqual(includeCircles(files), []);
});

test('the include check finds a circle through several files', (t) => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'layers-c-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'a.h'), '#include "b.h"\n');
  fs.writeFileSync(path.join(dir, 'b.h'), '#include <stdio.h>\n#include "c.h"\n');
  fs.writeFileSync(path.join(dir, 'c.h'), '  #  include "a.h"\n');
  fs.writeFileSync(path.join(dir, 'd.c'), '#include "a.h"\n');
  const circles = includeCircles([path.join(dir, 'd.c')]);
  assert.equal(circles.length, 1);
  assert.match(circles[0], /a\.h -> .*b\.h -> .*c\.h -> .*a\.h$/);
});
