'use strict';
/**
 * Replays a monkey run's saved log (build/monkey/<browser>-seed-<n>.json, written when a run
 * fails): the same actions, each on the control it hit then, in the same browser.
 *
 *   node tests/monkey-replay.js build/monkey/chromium-seed-2.json
 *
 * It runs tests/monkey.test.js with MONKEY_REPLAY set, on the build and data already there
 * (`node tests/run.js monkey` makes them). To replay a seed from scratch instead:
 * MONKEY_SEED=n MONKEY_ACTIONS=k node tests/run.js monkey.
 */

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const file = process.argv[2];
if (!file || !fs.existsSync(file)) {
  console.error('usage: node tests/monkey-replay.js build/monkey/<browser>-seed-<n>.json (a monkey run\'s saved log)');
  process.exit(2);
}
const run = spawnSync(process.execPath, ['--test', '--test-reporter=spec', path.join(__dirname, 'monkey.test.js')], {
  stdio: 'inherit',
  env: { ...process.env, MONKEY_REPLAY: path.resolve(file), MONKEY_VERBOSE: '1' },
});
process.exit(run.status === null ? 1 : run.status);
