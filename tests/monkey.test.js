'use strict';
/**
 * The seeded monkey: hundreds of random clicks, keys, form edits (valid and not), drawings,
 * model and data files (valid and damaged, dropped or picked) and address changes while the
 * page trains (tests/monkey/actions.js). The page must never sit stuck (tests/monkey/watchdog.js),
 * a refused model file must leave the run as it was, and afterwards `default` must train to
 * its 98% with no console error. Three seeds in Chromium, one in Firefox.
 *
 * MONKEY_SEED=n MONKEY_ACTIONS=k replays one seed's first k actions (MONKEY_BROWSER=firefox
 * for Firefox); MONKEY_SEEDS=4,5,6 runs other seeds in Chromium (make fuzz-page); a failure
 * prints the seed and the whole action log, and saves it (build/monkey/*.json) for
 * MONKEY_REPLAY=FILE, which replays the actions as they resolved (tests/monkey-replay.js).
 */

const fs = require('node:fs');
const path = require('node:path');
const { test, before } = require('node:test');

const { ROOT, BIN, MNIST_DIR, runBinary, tempDir } = require('./helpers');
const browserHelpers = require('./browser-helpers');
const { planSession, runSession } = require('./monkey/session');

const CHROMIUM_SEEDS = [1, 2, 3];
const FIREFOX_SEEDS = [4];
const ACTIONS = Number(process.env.MONKEY_ACTIONS) || 200;

// a saved log (build/monkey/*.json, written on failure): its actions as they resolved then
const REPLAY = process.env.MONKEY_REPLAY ? JSON.parse(fs.readFileSync(process.env.MONKEY_REPLAY, 'utf8')) : null;

function seedsFor(browser) {
  if (REPLAY) return REPLAY.label === browser ? [REPLAY.seed] : [];
  if (process.env.MONKEY_SEED) {
    return (process.env.MONKEY_BROWSER || 'chromium') === browser ? [Number(process.env.MONKEY_SEED)] : [];
  }
  if (process.env.MONKEY_SEEDS) {
    const all = process.env.MONKEY_SEEDS.split(',').map(Number);
    return browser === 'chromium' ? all : [];
  }
  return browser === 'chromium' ? CHROMIUM_SEEDS : FIREFOX_SEEDS;
}

browserHelpers.useBrowser();

let model = null; // a valid model file (base64): a small network trained by the native trainer
before(() => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'monkey-'));
  const file = path.join(dir, 'valid.model');
  const trained = runBinary(BIN.mnist, ['train', '--data', MNIST_DIR, '--arch', '784-16-10', '--iterations', '200', '--save', file]);
  if (trained.status !== 0) throw new Error(`the native trainer could not make a model: ${trained.stderr}`);
  model = fs.readFileSync(file).toString('base64');
  fs.rmSync(dir, { recursive: true, force: true });
});

const actionsFor = (seed) => (REPLAY ? REPLAY.actions : planSession(seed, ACTIONS));

function report(t, label, seed, result) {
  t.diagnostic(`${label} seed ${seed}: ${result.done} actions, ${result.seconds.toFixed(1)} s in all ` +
    `(training again: ${result.trainSeconds.toFixed(1)} s to ${(result.accuracy * 100).toFixed(2)}%)` +
    (result.ignored.length ? `; expected console messages: ${result.ignored.length}` : ''));
}

for (const seed of seedsFor('chromium')) {
  test(`monkey, Chromium, seed ${seed}: ${REPLAY ? REPLAY.actions.length : ACTIONS} random actions while training, never stuck, then trains to target`,
    { skip: browserHelpers.SKIP }, async (t) => {
      const base = await browserHelpers.serve(t, path.join(ROOT, 'data'));
      const { page, problems } = await browserHelpers.openPage(t, base);
      const result = await runSession({ page, pw: page, problems, base, seed, actions: actionsFor(seed),
        label: 'chromium', exclude: [], model, log: (s) => t.diagnostic(s) });
      report(t, 'chromium', seed, result);
    });
}

for (const seed of seedsFor('firefox')) {
  test(`monkey, Firefox, seed ${seed}: ${REPLAY ? REPLAY.actions.length : ACTIONS} random actions while training, never stuck, then trains to target`, async (t) => {
    const firefox = require('./firefox-helpers');
    const base = await browserHelpers.serve(t, path.join(ROOT, 'data'));
    const { page, problems, pw } = await firefox.openPage(t, base, { downloads: tempDir(t) });
    const result = await runSession({ page, pw, problems, base, seed, actions: actionsFor(seed),
      label: 'firefox', exclude: [], model, log: (s) => t.diagnostic(s) });
    report(t, 'firefox', seed, result);
  });
}
