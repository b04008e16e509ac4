'use strict';
/**
 * The contract (common/protocol.js) and its documentation (web/PROTOCOL.md) agree: the
 * requests, the messages the worker sends and the run-tagged ones are listed in the same
 * order, each table row names every field and reply the module gives it, and the lists in
 * the prose (the requests that wait, the error stages) are the module's. Plus the module's
 * own API: checkRequest, stageOf, replyTypesOf, carriesRun.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { ROOT } = require('./helpers');
const protocol = require('../common/protocol.js');

const { REQUESTS, REQUEST_TYPES, REPLIES, REPLY_TYPES, RUN_TAGGED, WAITING, STAGES, ANSWERS } = protocol;
const DOC = fs.readFileSync(path.join(ROOT, 'web', 'PROTOCOL.md'), 'utf8');

/** The rows of the table under a `## heading`: [{type, cells}] (type: the first cell's `name`). */
function tableRows(heading) {
  const section = DOC.split(/^## /m).find((s) => s.startsWith(heading));
  assert.ok(section, `PROTOCOL.md has a "## ${heading}" section`);
  return section.split('\n').filter((line) => /^\| `[a-z-]+` \|/.test(line)).map((line) => {
    const cells = line.slice(1, -1).split('|').map((c) => c.trim()); // (no cell holds a '|')
    return { type: /^`([a-z-]+)`$/.exec(cells[0])[1], cells };
  });
}

/** The words in backticks of a text: `name` and `name: ...` give name. */
const ticked = (text) => [...text.matchAll(/`([A-Za-z-]+)(?::[^`]*)?`/g)].map((m) => m[1]);

test('PROTOCOL.md lists every request of common/protocol.js, in its order, with its fields and replies', () => {
  const rows = tableRows('Page → worker');
  assert.deepEqual(rows.map((r) => r.type), REQUEST_TYPES);
  for (const { type, cells } of rows) {
    const [, fields, does] = cells;
    for (const field of Object.keys(REQUESTS[type].fields)) {
      assert.ok(ticked(fields).includes(field), `PROTOCOL.md's ${type} row names its field \`${field}\``);
    }
    for (const reply of protocol.replyTypesOf(type)) {
      assert.ok(ticked(does).includes(reply), `PROTOCOL.md's ${type} row says it answers \`${reply}\``);
    }
  }
});

test('PROTOCOL.md lists every message the worker sends, in the order of common/protocol.js, with its fields', () => {
  const rows = tableRows('Worker → page');
  assert.deepEqual(rows.map((r) => r.type), REPLY_TYPES);
  for (const { type, cells } of rows) {
    for (const field of REPLIES[type].fields) {
      assert.ok(ticked(cells[1]).includes(field), `PROTOCOL.md's ${type} row names its field \`${field}\``);
    }
  }
  for (const type of REQUEST_TYPES) {
    for (const reply of protocol.replyTypesOf(type)) assert.ok(REPLY_TYPES.includes(reply), `${type}'s reply ${reply} is a message`);
  }
});

test('PROTOCOL.md lists the run-tagged messages once, exactly as common/protocol.js', () => {
  const lists = DOC.split(/\n\n/).filter((p) => p.includes('is on every message about the network'));
  assert.equal(lists.length, 1, 'one list of the messages that carry `run`');
  const [tagged, rest] = lists[0].split(', and `error` with stage');
  assert.deepEqual(ticked(tagged).slice(1), RUN_TAGGED); // (the first: `run` itself)
  assert.match(rest, /^\s`'train'`/);
  assert.ok(!RUN_TAGGED.includes('error') && !RUN_TAGGED.includes('arch-description') && !RUN_TAGGED.includes('ready'));
});

test('PROTOCOL.md lists the messages that may carry `req` (the answers to requests) once, exactly as common/protocol.js', () => {
  const lists = DOC.split(/\n\n/).map((p) => p.replace(/\s+/g, ' ')).filter((p) => p.includes('The messages that may carry `req`'));
  assert.equal(lists.length, 1, 'one list of the messages that may carry `req`');
  const [answers, rest] = lists[0].split('The messages that may carry `req`: ')[1].split('. The rest (');
  assert.deepEqual(ticked(answers), ANSWERS);
  assert.deepEqual(ticked(rest.split(')')[0]), REPLY_TYPES.filter((type) => !ANSWERS.includes(type)));
  for (const type of REQUEST_TYPES) for (const reply of protocol.replyTypesOf(type)) assert.ok(ANSWERS.includes(reply), reply);
});

test('PROTOCOL.md: the requests that wait for the passes underway and the error stages are the module\'s', () => {
  const waits = /\(`step`[^)]*\) wait in/.exec(DOC);
  assert.ok(waits, 'PROTOCOL.md lists the requests that wait');
  assert.deepEqual(ticked(waits[0]).sort(), [...WAITING].sort());
  const errorRow = tableRows('Worker → page').find((r) => r.type === 'error').cells[1];
  const stages = [...errorRow.split('`request`')[0].matchAll(/`'([a-z]+)'`/g)].map((m) => m[1]);
  assert.deepEqual(stages, STAGES);
});

test('protocol.js: checkRequest returns the type of a well-formed request and names the field at fault', () => {
  assert.equal(protocol.checkRequest({ type: 'predict', id: 1, index: 3 }), 'predict');
  assert.equal(protocol.checkRequest({ type: 'start' }), 'start');
  const refused = (message) => {
    try { protocol.checkRequest(message); } catch (error) { return { field: error.field, request: error.request, message: error.message }; }
    assert.fail(`accepted ${JSON.stringify(message)}`);
  };
  assert.deepEqual(refused(null), { field: null, request: null, message: 'a request is an object with a `type`, not null' });
  assert.equal(refused({ type: 'bogus' }).field, 'type');
  assert.equal(refused({ type: 'hasOwnProperty' }).request, null);
  assert.deepEqual(refused({ type: 'cell', label: 1 }), { field: 'predicted', request: 'cell', message: 'cell needs `predicted`' });
  assert.equal(refused({ type: 'weights', units: 0 }).field, 'units');
  assert.equal(refused({ type: 'start', run: 3 }).field, 'run');
  assert.equal(refused({ type: 'predict', id: 1 }).field, 'index');
  assert.equal(refused({ type: 'init', wasm: new ArrayBuffer(8), role: 'tester' }).field, 'port');
  // a request id: a whole number, on any request
  assert.equal(protocol.checkRequest({ type: 'start', req: 12 }), 'start');
  for (const req of [-1, 1.5, '3', null, 2 ** 31]) assert.equal(refused({ type: 'start', req }).field, 'req');
  // texts: no control characters or NUL
  assert.equal(refused({ type: 'predict', id: 'a\u0000b', index: 1 }).field, 'id');
  assert.equal(refused({ type: 'describe-arch', id: 1, arch: '784-10\u0000-10' }).field, 'arch');
  assert.equal(refused({ type: 'load', set: 'test', images: new ArrayBuffer(1), labels: new ArrayBuffer(1), names: { images: 'a\nb' } }).field, 'names');
});

test('protocol.js: settings are plain objects of the core\'s keys and kinds; texts and files within the core\'s caps', () => {
  const rules = {
    settings: [{ key: 'arch', kind: 'arch' }, { key: 'optimizer', kind: 'choice' }, { key: 'lr', kind: 'number' }, { key: 'seed', kind: 'seed' }],
    presets: { default: { arch: '784-10', optimizer: 'sgd', lr: 0.1, seed: 1, description: 'd', expect: 'e' } },
    hyper: ['optimizer', 'lr'], maxText: 255, maxFileBytes: 1000,
  };
  const refused = (message, withRules = rules) => {
    try { protocol.checkRequest(message, withRules); } catch (error) { return { field: error.field, request: error.request, message: error.message }; }
    assert.fail(`accepted ${JSON.stringify(message)}`);
  };
  const configure = (config) => ({ type: 'configure', config });
  const hyper = (h) => ({ type: 'set-hyper', hyper: h });
  assert.equal(protocol.checkRequest(configure({ arch: [784, 10], lr: 0.1, description: 'the preset\'s own words' }), rules), 'configure');
  assert.equal(protocol.checkRequest(configure(Object.create(null)), rules), 'configure');
  class Settings { constructor() { this.lr = 0.1; } }
  for (const odd of [new Date(), new Map([['lr', 0.1]]), new Uint8Array(4), new ArrayBuffer(4), new SharedArrayBuffer(4), [], new Settings(),
    Object.create({ lr: 0.1 }), null, 'lr=0.1']) {
    assert.equal(refused(configure(odd)).field, 'config', String(odd));
    assert.equal(refused(hyper(odd)).field, 'hyper', String(odd));
    assert.equal(refused(configure(odd), null).field, 'config', `${odd}, without the rules too`);
  }
  // unknown keys: refused by both alike, naming the key (set-hyper: also those a run cannot change)
  assert.deepEqual(refused(configure({ bogus: 1 })), { field: 'bogus', request: 'configure', message: 'configure: unknown setting "bogus" (the core\'s are rules.settings)' });
  assert.equal(refused(hyper({ bogus: 1 })).field, 'bogus');
  assert.equal(refused(hyper({ description: 'x' })).field, 'description');
  // values of the table's kinds; texts without control characters, at most maxText bytes
  assert.equal(refused(configure({ arch: '784-10\u0000-10' })).field, 'arch');
  assert.equal(refused(hyper({ optimizer: 'adam\u0000x' })).field, 'optimizer');
  assert.equal(refused(configure({ optimizer: 'adam\u0000x' }), null).field, 'optimizer', 'without the rules too');
  assert.equal(refused(configure({ arch: 'x'.repeat(256) })).field, 'arch');
  assert.equal(refused(configure({ arch: 'é'.repeat(128) })).field, 'arch', '256 bytes in 128 characters');
  assert.equal(refused(configure({ arch: Array(200).fill(784) })).field, 'arch');
  assert.equal(refused(hyper({ lr: '0.1' })).field, 'lr');
  assert.equal(refused(hyper({ lr: NaN })).field, 'lr');
  assert.equal(refused(hyper({ optimizer: 1 })).field, 'optimizer');
  assert.equal(refused(configure({ seed: true })).field, 'seed');
  // files: at most the core's maxFileBytes, before anything is copied
  assert.equal(protocol.checkRequest({ type: 'load-model', bytes: new ArrayBuffer(1000) }, rules), 'load-model');
  assert.equal(refused({ type: 'load-model', bytes: new ArrayBuffer(1001) }).field, 'bytes');
  assert.equal(refused({ type: 'load', set: 'test', images: new ArrayBuffer(1001), labels: new ArrayBuffer(1) }).field, 'images');
  assert.equal(refused({ type: 'load-model', bytes: new SharedArrayBuffer(8) }).field, 'bytes');
});

test('protocol.js: stages, replies and run ids by type', () => {
  assert.equal(protocol.stageOf('load'), 'data');
  assert.equal(protocol.stageOf('nonsense'), 'protocol');
  for (const type of REQUEST_TYPES) assert.ok(STAGES.includes(protocol.stageOf(type)), type);
  assert.deepEqual(protocol.replyTypesOf('describe-arch'), ['arch-description']);
  assert.deepEqual(protocol.replyTypesOf('nonsense'), []);
  assert.equal(protocol.carriesRun({ type: 'progress' }), true);
  assert.equal(protocol.carriesRun({ type: 'error', stage: 'train' }), true);
  assert.equal(protocol.carriesRun({ type: 'error', stage: 'config' }), false);
  assert.equal(protocol.carriesRun({ type: 'arch-description' }), false);
  assert.deepEqual(protocol.errorMessage('start', Object.assign(new Error('no'), { field: 'x' }), 4),
    { type: 'error', stage: 'train', request: 'start', field: 'x', message: 'no', run: 4 });
  assert.equal(protocol.errorMessage('load', new Error('no'), 4).run, undefined);
  // the answer to a request echoes its req (a well-formed one), its error too
  assert.equal(protocol.errorMessage({ type: 'step', req: 5 }, new Error('no'), 4).req, 5);
  assert.equal(protocol.errorMessage({ type: 'bogus', req: 5 }, new Error('no')).request, null);
  assert.equal(protocol.errorMessage({ type: 'step', req: 'x' }, new Error('no')).req, undefined);
  assert.deepEqual(protocol.answer({ type: 'pause', req: 0 }, { type: 'paused' }), { type: 'paused', req: 0 });
  assert.deepEqual(protocol.answer(null, { type: 'paused' }), { type: 'paused' });
});
