'use strict';
/**
 * The shape of the browser code: every source under web/ and common/ is an ES module with
 * explicit imports (no IIFE wrapper, no `require` call, no `Mnist*` global: window.Mnist…,
 * self.Mnist…, root.Mnist…, globalThis.Mnist…), and every module of web/js, web/worker and
 * common/ does one job in at most MAX_LINES lines. (web/build/ holds what the build writes.)
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { ROOT } = require('./helpers');

const MAX_LINES = 350;
const FOLDERS = ['web', 'common'];
const GENERATED = path.join(ROOT, 'web', 'build');

/** Every .js file under dir, web/build/ left out. */
function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return full === GENERATED || entry.name === 'node_modules' ? [] : sources(full);
    return entry.name.endsWith('.js') ? [full] : [];
  });
}

const FILES = FOLDERS.flatMap((folder) => sources(path.join(ROOT, folder)));
const relative = (file) => path.relative(ROOT, file);
// A comment's text is no code: /* ... */ and // ... are blanked before the checks.
const code = (file) => fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');

test('web/ and common/ hold ES modules: a package.json says so, and each file imports or exports', () => {
  for (const folder of FOLDERS) {
    assert.equal(JSON.parse(fs.readFileSync(path.join(ROOT, folder, 'package.json'), 'utf8')).type, 'module', `${folder}/package.json`);
  }
  assert.ok(FILES.length > 20, `found ${FILES.length} sources`);
  const notModules = FILES.filter((file) => !/^\s*(import|export)\b/m.test(code(file)));
  assert.deepEqual(notModules.map(relative), [], 'these files neither import nor export');
  const wrapped = FILES.filter((file) => /^\s*[(!;]?\s*\(?function\s*\(\s*(root|global|window|self)?\s*\)\s*\{/m.test(code(file)));
  assert.deepEqual(wrapped.map(relative), [], 'an ES module needs no IIFE wrapper');
  const requiring = FILES.filter((file) => /\brequire\s*\(/.test(code(file)));
  assert.deepEqual(requiring.map(relative), [], 'an ES module imports; it does not call require');
});

test('no source under web/ or common/ assigns a Mnist* global', () => {
  const global = /\b(window|self|root|globalThis)\s*\.\s*(Mnist\w*)\s*=(?!=)|\b(window|self|root|globalThis)\s*\[\s*['"](Mnist\w*)['"]\s*\]\s*=(?!=)/;
  const offenders = FILES.map((file) => [relative(file), global.exec(code(file))]).filter(([, m]) => m)
    .map(([file, m]) => `${file}: ${m[0]}`);
  assert.deepEqual(offenders, []);
});

test(`every module of web/js, web/worker and common/ is at most ${MAX_LINES} lines`, () => {
  const limited = FILES.filter((file) => /^(web[\\/](js|worker)|common)[\\/]/.test(relative(file)));
  const long = limited.map((file) => [relative(file), fs.readFileSync(file, 'utf8').split('\n').length - 1])
    .filter(([, lines]) => lines > MAX_LINES).map(([file, lines]) => `${file}: ${lines} lines`);
  assert.deepEqual(long, []);
});
