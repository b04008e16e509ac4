'use strict';
/**
 * One monkey session (one job: a seeded sequence of random actions against a page that is
 * training, then proof that the page still works): waits for Ready, presses Train, performs
 * the actions with the stuck watchdog running, then does what a user would to train again
 * (the `default` preset, Reset when offered, Train) and checks that the run reaches the
 * preset's target with no console error. On failure the error carries the seed and the whole
 * action log, also written to build/monkey/<label>-seed-<n>.json for tests/monkey-replay.js.
 *
 * Exports:
 *   STUCK_BOUND, TARGET, EXPECTED
 *   planSession(seed, count) -> [action]        the actions a seed gives (tests/monkey/actions.js)
 *   runSession({ page, pw, problems, base, seed, actions, label, exclude, model, log }) -> Promise of
 *       { seconds, trainSeconds, accuracy, done: actions performed, ignored: console messages let through }
 *     page: Playwright or puppeteer page; pw: a Playwright-shaped view for waits (the page
 *     itself in Chromium); problems: the page's console errors and warnings as they come
 */

const fs = require('node:fs');
const path = require('node:path');

const { ROOT } = require('../helpers');
const { waitForStatus, accuracyOf } = require('../browser-helpers');
const { random } = require('./random');
const { plan, perform, describe, phase } = require('./actions');
const { watchdog } = require('./watchdog');

const STUCK_BOUND = 30000; // ms without progress or a message, nothing to press: a hang, even on a loaded 2-core machine
const TARGET = { preset: 'default', accuracy: 0.98 }; // the preset's own promise: 98% after its 5 epochs (learning.test.js)
// Console messages that are expected, each with why; everything else fails the run.
const EXPECTED = [
  // The browser itself logs a failed fetch. The monkey asks for what cannot load on purpose
  // (?dataset=bogus, a damaged data URL); the page says so in #status, which is what counts.
  { pattern: /^console\.error: Failed to load resource: the server responded with a status of 404/, why: 'a URL the monkey made up' },
];

function planSession(seed, count) {
  const rng = random(seed);
  return Array.from({ length: count }, () => plan(rng));
}

function logText(seed, actions, upTo) {
  return actions.slice(0, upTo).map((a, k) => `  ${String(k + 1).padStart(3)}. ${describe(a)}`).join('\n');
}

function saveLog(label, seed, actions, error) {
  const dir = path.join(ROOT, 'build', 'monkey');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${label}-seed-${seed}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ seed, label, error: error && error.message, actions }, null, 1)}\n`);
  return file;
}

/** Waits (for an event in the page, at most `ms`) until fn(arg) holds there (polled on the
 *  helpers' timer: browser-helpers.js pollOnTimer). */
function waiter(pw) {
  return (fn, arg, ms) => pw.waitForFunction(fn, arg, { timeout: ms });
}

/** Runs in the page: some control works (Train, Reset, Resume of a paused run), or #status
 *  says what went wrong (then the user acts on that). */
function usableOrError() {
  const on = (id) => !document.getElementById(id).disabled;
  return on('train') || on('reset') || (document.body.getAttribute('data-state') === 'paused' && on('pause')) ||
    document.getElementById('status').getAttribute('data-kind') === 'error';
}

/** What a user does to train from scratch after the monkey: the MNIST dataset, the target
 *  preset's settings (chosen again when it is already chosen: that refills the form), Reset
 *  when it is offered, Train; then waits for Done. */
async function trainAgain(page, pw, wait) {
  const select = (id, value) => page.evaluate(([i, v]) => {
    const e = document.getElementById(i);
    e.value = v;
    e.dispatchEvent(new Event('change', { bubbles: true }));
  }, [id, value]);
  // a control that works, or an error said in #status (data refused: the user loads it again)
  await wait(usableOrError, null, STUCK_BOUND);
  if (await page.evaluate(() => document.getElementById('dataset').value) !== 'mnist') {
    await select('dataset', 'mnist');
    await waitForStatus(pw, /Ready/, 120000);
  } else if (await page.evaluate(() => document.getElementById('train').disabled && document.getElementById('reset').disabled &&
      document.body.getAttribute('data-state') !== 'paused')) {
    await page.evaluate(() => { document.getElementById('data-url').value = ''; document.getElementById('data-load').click(); });
    await waitForStatus(pw, /Ready/, 120000);
  }
  if (await page.evaluate(() => document.getElementById('preset').value) === TARGET.preset) await select('preset', 'seed');
  await select('preset', TARGET.preset);
  await wait(usableOrError, null, STUCK_BOUND);
  if (await page.evaluate(() => !document.getElementById('reset').disabled)) {
    await page.evaluate(() => document.getElementById('reset').click());
  }
  // Train, as a user presses it: again if it was not taken (a reset still under way can
  // disable it between the look and the press)
  const started = Date.now();
  for (let tries = 1; ; tries++) {
    await wait(() => !document.getElementById('train').disabled, null, STUCK_BOUND);
    await page.evaluate(() => document.getElementById('train').click());
    const taken = await wait(() => document.body.getAttribute('data-state') !== 'ready', null, 10000).then(() => true, () => false);
    if (taken) break;
    if (tries === 3) throw new Error('Train was pressed three times and the page stayed ready');
  }
  await waitForStatus(pw, /Done/, 300000);
  return { accuracy: accuracyOf(await pw.textContent('#test-accuracy')), trainSeconds: (Date.now() - started) / 1000 };
}

async function runSession({ page, pw, problems, base, seed, actions, label, exclude, model, log = () => {} }) {
  const wait = waiter(pw);
  const ctx = { base, model, exclude, wait };
  const started = Date.now();
  let done = 0;
  let dog = null;
  try {
    await waitForStatus(pw, /Ready/, 120000);
    await page.evaluate(() => document.getElementById('train').click());
    await waitForStatus(pw, /Training/, 60000);
    dog = watchdog(page, { bound: STUCK_BOUND });
    const check = () => {
      const s = dog.stuck();
      if (s) throw new Error(`stuck for ${s.seconds} s: "${s.status}" (state ${s.state}), Train disabled, nothing moving`);
    };
    for (const a of actions) {
      done++;
      const t0 = Date.now();
      await perform(page, a, ctx, done);
      a.ms = Date.now() - t0;
      check();
      if (a.pause) await new Promise((resolve) => setTimeout(resolve, a.pause));
    }
    const slowest = [...actions].sort((x, y) => y.ms - x.ms).slice(0, 3).map((a) => `${describe(a)} (${a.ms} ms)`);
    log(`${label} seed ${seed}: ${done} actions in ${((Date.now() - started) / 1000).toFixed(1)} s, the slowest: ${slowest.join('; ')}`);
    if (process.env.MONKEY_VERBOSE) log(logText(seed, actions, done));
    const finished = await Promise.race([trainAgain(page, pw, wait), new Promise((resolve, reject) => {
      const timer = setInterval(() => { try { check(); } catch (e) { clearInterval(timer); reject(e); } }, 1000);
      timer.unref();
    })]);
    if (finished.accuracy < TARGET.accuracy) {
      throw new Error(`after the monkey, ${TARGET.preset} trained to ${(finished.accuracy * 100).toFixed(2)}%, short of ${TARGET.accuracy * 100}%`);
    }
    const ignored = problems.filter((p) => EXPECTED.some((e) => e.pattern.test(p)));
    const unexpected = problems.filter((p) => !ignored.includes(p));
    if (unexpected.length) throw new Error(`console errors or warnings:\n  ${unexpected.join('\n  ')}`);
    return { ...finished, seconds: (Date.now() - started) / 1000, done, ignored };
  } catch (error) {
    const status = await page.evaluate(phase).catch(() => ({}));
    const file = saveLog(label, seed, actions.slice(0, done), error);
    throw new Error(`${label}, seed ${seed}, after action ${done} of ${actions.length} ` +
      `(replay: MONKEY_SEED=${seed} MONKEY_ACTIONS=${done} node tests/run.js monkey, or node tests/monkey-replay.js ${path.relative(ROOT, file)}):\n` +
      `${error.message}\npage: ${JSON.stringify(status)}\nconsole: ${JSON.stringify(problems)}\nactions:\n${logText(seed, actions, done)}`, { cause: error });
  } finally {
    if (dog) dog.stop();
  }
}

module.exports = { STUCK_BOUND, TARGET, EXPECTED, planSession, runSession };
