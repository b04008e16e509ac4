'use strict';
/**
 * The dense rows of `make bench`: each implementation trains one dense network
 * (item.arch, described by the core as item.layers) for one epoch with plain SGD at a
 * constant rate, the same protocol everywhere (bench/runners/common.js).
 *
 * Public: DENSE_RUNS = { [impl]: async (item) -> row fields }.
 */

const path = require('node:path');

const { BUILD, DATA_DIR, LR, WARMUP, SEED, PEER_SAMPLES, PAGE_DENSE_TARGET } = require('./config.js');
const { nodeRunner, nativeRun } = require('./child.js');
const { pageInChromium } = require('./browser.js');
const { fmtFixed } = require('./tables.js');
const { fileOf } = require('../common/datasets.js');

/** A Node runner's arguments for a dense row. */
function runnerArgs(item, extra = []) {
  return ['--data', DATA_DIR, '--arch', item.arch, '--layers', JSON.stringify(item.layers), '--batch', String(item.batch),
    '--lr', String(LR), '--warmup', String(WARMUP), '--seed', String(SEED), ...extra];
}

const peerSamples = () => (PEER_SAMPLES ? ['--samples', String(PEER_SAMPLES)] : []);

const DENSE_RUNS = {
  async wasm(item) {
    return nodeRunner('project-wasm.js', runnerArgs(item, item.threads > 1 ? ['--threads', String(item.threads)] : []));
  },
  async native(item) {
    const { json, peak_rss_mb } = await nativeRun(path.join(BUILD, 'mnist'), ['train', '--data', DATA_DIR,
      '--arch', item.arch, '--batch', String(item.batch), '--lr', String(LR), '--momentum', '0', '--lr-decay', '1',
      '--weight-decay', '0', '--optimizer', 'sgd', '--schedule', 'step', '--shift', '0', '--seed', String(SEED),
      '--epochs', '1']); // plain SGD at a constant rate as every dense row (not the default preset's one-cycle and shifts)
    return {
      samples_timed: 60000, seconds_timed: json.seconds, samples_per_second: json.samples_per_second,
      seconds_per_epoch: json.seconds, test_accuracy: json.test_accuracy,
      threads: 1, peak_rss_mb, warmup: 'none (ahead-of-time code; the CLI times its only epoch)',
    };
  },
  async 'naive-wasm'(item) {
    return nodeRunner('naive-wasm.js', runnerArgs(item));
  },
  async 'naive-native'(item) {
    const hidden = item.layers.slice(1, -1);
    if (hidden.length !== 1) throw new Error('the naive baseline is 784-H-10 only');
    const files = [['--train-images', 'train', 'images'], ['--train-labels', 'train', 'labels'],
      ['--test-images', 'test', 'images'], ['--test-labels', 'test', 'labels']]
      .flatMap(([flag, set, part]) => [flag, path.join(DATA_DIR, fileOf(set, part).file)]);
    const { json, peak_rss_mb } = await nativeRun(path.join(BUILD, 'bench', 'naive'), [...files,
      '--hidden', String(hidden[0].size), '--batch', String(item.batch), '--lr', String(LR), '--warmup', String(WARMUP),
      '--seed', String(SEED)]);
    return {
      samples_timed: json.samples, seconds_timed: json.seconds, samples_per_second: json.samples_per_second,
      seconds_per_epoch: json.seconds, test_accuracy: json.test_accuracy, train_loss: json.train_loss,
      threads: 1, peak_rss_mb,
    };
  },
  async 'tfjs-wasm'(item) {
    return nodeRunner('tfjs.js', runnerArgs(item, ['--backend', 'wasm']));
  },
  async 'tfjs-cpu'(item) {
    return nodeRunner('tfjs.js', runnerArgs(item, ['--backend', 'cpu', ...peerSamples()]));
  },
  async convnetjs(item) {
    return nodeRunner('convnetjs.js', runnerArgs(item, peerSamples()));
  },
  async 'page-chromium'(item) {
    const r = await pageInChromium(item.page || 'served', 'default', PAGE_DENSE_TARGET, false);
    if (r.skipped) return r;
    if (!r.reached_target) throw new Error(`the run ended without showing ${PAGE_DENSE_TARGET * 100}% (best ${fmtFixed(r.best_test_accuracy, 4)})`);
    return {
      seconds_to_97: r.seconds_to_target, samples_per_second: r.samples_per_second, test_accuracy: r.accuracy_at_target,
      seconds_per_epoch: null, threads: r.threads, peak_rss_mb: null,
      preset: 'default',
      cross_origin_isolated: r.cross_origin_isolated, page_version: r.page_version, browser: r.browser,
    };
  },
};

module.exports = { DENSE_RUNS };
