'use strict';
/**
 * Settings by name: the core's settings table (src/core/settings.c) is the one home of
 * every setting's key, help text and range, and every list of settings is generated from
 * it: the rules' "settings" (the page's), the CLI's flags and --help, the configuration a
 * model file carries. A setting added to the table (and its field) appears in all of
 * them with no other edit; no export of the WebAssembly module takes a positional list
 * of settings.
 */

const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { ROOT, BIN, MNIST_DIR, WASM_PATH, runBinary, tempDir, modelLayout } = require('./helpers');

const rules = JSON.parse(runBinary(BIN.coreCheck, ['rules']).stdout);

/** The flag of a setting's key: weightDecay -> --weight-decay. */
const flagOf = (key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The flags --help lists under "train options", in order. */
function trainFlags(help) {
  const options = help.slice(help.indexOf('train options'), help.indexOf('limits:'));
  return [...options.matchAll(/^ {2}(--[a-z0-9-]+)/gm)].map((m) => m[1]);
}

/** A model trained for two updates by `mnist` with extra flags, saved; -> its layout. */
function trainedModel(t, mnist, flags = []) {
  const file = path.join(tempDir(t), 'tiny.model');
  const r = runBinary(mnist, ['train', '--data', MNIST_DIR, '--arch', '784-8-10', '--batch', '10', '--iterations', '2',
    ...flags, '--save', file]);
  assert.equal(r.status, 0, r.stderr);
  return { run: r, layout: modelLayout(fs.readFileSync(file)) };
}

test('the rules\' settings, the CLI\'s flags and a model file\'s configuration are the same list, each with help', (t) => {
  const keys = rules.settings.map((s) => s.key);
  assert.ok(keys.length >= 18, keys.join(' '));
  assert.equal(new Set(keys).size, keys.length, 'no key twice');
  const help = runBinary(BIN.mnist, ['--help']).stdout;
  // the CLI's own flags around the settings' (those in the table's order)
  assert.deepEqual(trainFlags(help), ['--preset', ...keys.map(flagOf), '--log-every', '--save']);
  for (const s of rules.settings) {
    assert.match(s.help, /^\S.{10,}/, `${s.key} has help text`);
    // --help says it, in words wrapped over lines
    const words = s.help.split(' ').slice(0, 4).join(' ');
    assert.ok(help.replace(/\s+/g, ' ').includes(words), `--help lacks ${s.key}'s help`);
    assert.ok(['network', 'training', 'augmentation'].includes(s.group), `${s.key}: group ${s.group}`);
    assert.equal(typeof s.hyper, 'boolean');
    assert.ok(['whole', 'number', 'choice', 'arch', 'seed'].includes(s.kind));
    if (s.kind === 'choice') assert.ok(s.choices.includes(s.default), `${s.key}: its default is a choice`);
    if ('min' in s) {
      assert.deepEqual(Object.keys(s).filter((k) => /^(min|max|integer|minExclusive|maxExclusive)$/.test(k)).sort(),
        ['integer', 'max', 'maxExclusive', 'min', 'minExclusive']);
      assert.equal(s.integer, s.kind !== 'number');
      assert.equal(s.default, rules.presets.default[s.key]);
    }
  }
  // the lists derived from the table agree with it
  assert.deepEqual(rules.hyper, rules.settings.filter((s) => s.hyper).map((s) => s.key));
  for (const preset of Object.values(rules.presets)) {
    assert.deepEqual(Object.keys(preset), [...keys, 'description', 'expect', 'target']);
  }
  const { layout, run } = trainedModel(t, BIN.mnist);
  assert.equal(layout.version, 4);
  assert.deepEqual(Object.keys(layout.config), keys);
  assert.deepEqual(Object.keys(run.json.config), keys, 'train reports the configuration');
});

test('a configuration\'s JSON stays JSON whatever its numbers: NaN and infinities are null (mnist_config_json)', () => {
  for (const bin of [BIN.coreCheck, BIN.asanCoreCheck]) {
    const r = runBinary(bin, ['config-json-nonfinite']); // lr NaN, momentum +inf, weightDecay -inf
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.json, `not JSON: ${r.stdout}`);
    assert.deepEqual([r.json.lr, r.json.momentum, r.json.weightDecay], [null, null, null]);
    assert.deepEqual([r.json.beta1, r.json.eps, r.json.arch], [rules.presets.default.beta1, rules.presets.default.eps, '784-128-10']);
  }
});

test('a setting added to the table alone is a flag, in --help, checked, and saved with the model', (t) => {
  const dir = tempDir(t);
  fs.cpSync(path.join(ROOT, 'src'), path.join(dir, 'src'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'Makefile'), path.join(dir, 'Makefile'));
  // the setting's value needs a home in mnist_config: a field of mnist_hyper ...
  const header = path.join(dir, 'src', 'mnist.h');
  const h = fs.readFileSync(header, 'utf8');
  assert.match(h, /^ {4}float scale;/m);
  fs.writeFileSync(header, h.replace(/^ {4}float scale;/m, '    float dummy_knob;   /* a test\'s setting */\n$&'));
  // ... and one row of the table; nothing else is edited
  const table = path.join(dir, 'src', 'core', 'settings.c');
  const c = fs.readFileSync(table, 'utf8');
  assert.match(c, /^ {4}\{\.key = NULL\},/m);
  fs.writeFileSync(table, c.replace(/^ {4}\{\.key = NULL\},/m, '    {.key = "dummyKnob", .words = "dummy knob", NUMBER(hyper.dummy_knob, 0, 2), HYPER("training"),\n' +
    '     .help = "a knob that only a test turns"},\n$&'));
  const sources = ['core', 'cli'].flatMap((d) => fs.readdirSync(path.join(dir, 'src', d)).filter((f) => f.endsWith('.c'))
    .map((f) => path.join('src', d, f)));
  const mnist = path.join(dir, 'mnist');
  const built = spawnSync('nice', ['gcc', '-std=c11', '-O1', '-Wall', '-Wextra', '-Werror', '-ffp-contract=off', '-fno-fast-math',
    '-o', mnist, ...sources, '-lz', '-lm'], { cwd: dir, encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);

  const help = runBinary(mnist, ['--help']).stdout;
  assert.match(help, /^ {2}--dummy-knob X +a knob that only a test turns \(0 <= X <= 2\)$/m);
  assert.ok(trainFlags(help).includes('--dummy-knob'));
  const { layout, run } = trainedModel(t, mnist, ['--dummy-knob', '1.25']);
  assert.equal(layout.config.dummyKnob, '1.25', 'saved with the model');
  assert.equal(run.json.config.dummyKnob, 1.25, 'reported by train');
  const refused = runBinary(mnist, ['train', '--data', MNIST_DIR, '--dummy-knob', '3']);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /^mnist: --dummy-knob: dummy knob must be >= 0 and <= 2, got 3$/m);
});

/** Each export of a WebAssembly module and how many parameters it takes (from the binary:
 *  the type, import, function and export sections). */
function exportArities(bytes) {
  let at = 8;
  const leb = () => {
    let result = 0, shift = 0, byte;
    do {
      byte = bytes[at++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  const name = () => {
    const n = leb();
    at += n;
    return bytes.subarray(at - n, at).toString('utf8');
  };
  const types = [], functions = [], exports = [];
  let imported = 0;
  while (at < bytes.length) {
    const id = bytes[at++], size = leb(), end = at + size;
    if (id === 1) { // type: (func params results)
      for (let n = leb(); n > 0; n--) {
        at++; // 0x60
        const params = leb();
        at += params;
        const results = leb();
        at += results;
        types.push(params);
      }
    } else if (id === 2) { // import: functions come before the module's own
      for (let n = leb(); n > 0; n--) {
        name();
        name();
        const kind = bytes[at++];
        if (kind === 0) { // a function
          leb();
          imported++;
        } else { // a table (its element type first), a memory or a global: skip its type and limits
          if (kind === 1) at++;
          const flags = kind === 3 ? (at++, 0) : leb();
          if (kind !== 3) leb();
          if (flags & 1) leb();
          if (kind === 3) at++; // a global's mutability
        }
      }
    } else if (id === 3) {
      for (let n = leb(); n > 0; n--) functions.push(leb());
    } else if (id === 7) {
      for (let n = leb(); n > 0; n--) {
        const exported = name(), kind = bytes[at++], index = leb();
        if (kind === 0) exports.push([exported, index]);
      }
    }
    at = end;
  }
  return Object.fromEntries(exports.map(([n, index]) => [n, index < imported ? null : types[functions[index - imported]]]));
}

test('no export of the WebAssembly module takes more than four parameters; no positional list of settings', () => {
  for (const file of [WASM_PATH, path.join(path.dirname(WASM_PATH), 'mnist-mt.wasm')]) { // one-thread and threaded
    const arities = exportArities(fs.readFileSync(file));
    assert.equal(arities.config_number, 2, 'config_number(key, value)');
    assert.equal(arities.config_text, 3, 'config_text(key, text, length)');
    assert.ok(Object.keys(arities).length > 30);
    for (const [name, params] of Object.entries(arities)) assert.ok(params <= 4, `${path.basename(file)}: ${name} takes ${params} parameters`);
  }
  // and nothing in the sources lists the settings by position for the module
  const files = (dir, ext) => fs.readdirSync(path.join(ROOT, dir), { recursive: true })
    .filter((f) => f.endsWith(ext) && !f.startsWith('build')).map((f) => path.join(ROOT, dir, f));
  for (const file of [...files('src', '.c'), ...files('src', '.h'), ...files('web', '.js')]) {
    const text = fs.readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /HYPER_(PARAMS|ARGS)|EXPORT\("(init|set_hyper)"\)|\bx\.(init|set_hyper)\b/, path.relative(ROOT, file));
  }
});
