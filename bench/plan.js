'use strict';
/**
 * Which runs a `make bench` makes, in order, from BENCH_IMPLS and BENCH_NETS: the tab's
 * memory rows (an empty page, then every preset served and from file://), the drawing
 * pad's (one per preset, whatever the suites: a pen on the pad with each network), the
 * dense rows (the headline for every implementation, the other configurations for the
 * project's own builds), the CNN rows (the WebAssembly build on each of cnnWasmThreads).
 *
 * Public: choices(env) -> {impls, nets} (throws naming what is unknown),
 * planOf({impls, nets, quick, wasmThreads, presets, recipe, cnnWasmThreads, cnnRounds})
 * -> [{net, impl, arch, batch, threads?, page?, preset?, recipe?, round?, rounds?}]
 * (presets: the core's preset names, for the memory rows and the drawing pad's; recipe:
 * bench/recipe.js cnnRecipe, the CNN rows'; cnnWasmThreads: [1, 2, ...]; cnnRounds: how many
 * rounds of the CNN rows of ROUND_IMPLS, CNN_REPEATS unless given).
 */

const {
  ALL_IMPLS, DENSE_IMPLS, CNN_IMPLS, CNN_THREADS, DRAWPAD_QUICK_PRESETS, HEADLINE, EXTRA, REPEATED, CNN_REPEATS, ROUND_IMPLS,
  wasmThreadCounts,
} = require('./config.js');

function choices(env = process.env) {
  const impls = env.BENCH_IMPLS ? env.BENCH_IMPLS.split(',').map((s) => s.trim()).filter(Boolean) : ALL_IMPLS;
  const unknown = impls.filter((i) => !ALL_IMPLS.includes(i));
  const nets = (env.BENCH_NETS || 'dense,cnn').split(',').map((s) => s.trim()).filter(Boolean);
  if (unknown.length) throw new Error(`unknown implementation(s) ${unknown.join(', ')}; known: ${ALL_IMPLS.join(', ')}`);
  if (nets.some((n) => !['dense', 'cnn'].includes(n))) throw new Error(`BENCH_NETS takes dense and/or cnn, not ${nets.join(',')}`);
  return { impls, nets };
}

function planOf({ impls, nets, quick, wasmThreads, presets = DRAWPAD_QUICK_PRESETS, recipe = null, cnnWasmThreads = wasmThreadCounts(),
  cnnRounds = CNN_REPEATS }) {
  const plan = [];
  // the tab's memory: an empty page's, then while the page trains each preset (bench/memory.js)
  if (impls.includes('page-memory')) {
    plan.push({ net: 'memory', impl: 'page-memory', preset: null, page: 'empty', arch: 'an empty page', batch: '' });
    for (const preset of presets) {
      for (const page of ['served', 'file']) plan.push({ net: 'memory', impl: 'page-memory', preset, page, arch: `?preset=${preset}`, batch: '' });
    }
  }
  if (impls.includes('page-drawpad')) {
    for (const preset of quick ? DRAWPAD_QUICK_PRESETS : presets) {
      plan.push({ net: 'drawpad', impl: 'page-drawpad', preset, page: 'served', arch: `?preset=${preset}`, batch: '' });
    }
  }
  if (nets.includes('dense')) {
    const dense = (impl, cfg, more = {}) => plan.push({ net: 'dense', impl, ...cfg, ...more });
    for (const impl of DENSE_IMPLS.filter((i) => impls.includes(i))) {
      if (impl === 'page-chromium') {
        dense(impl, HEADLINE, { page: 'served' });
        dense(impl, HEADLINE, { page: 'file' });
      } else {
        dense(impl, HEADLINE);
        if (impl === 'wasm' && wasmThreads > 1) dense(impl, HEADLINE, { threads: wasmThreads });
      }
    }
    if (!quick) {
      for (const cfg of EXTRA) {
        for (const impl of REPEATED.filter((i) => impls.includes(i))) {
          dense(impl, cfg);
          if (impl === 'wasm' && wasmThreads > 1) dense(impl, cfg, { threads: wasmThreads });
        }
      }
    }
  }
  if (nets.includes('cnn')) {
    if (!recipe) throw new Error('the CNN rows need the recipe (bench/recipe.js cnnRecipe)');
    const cnn = { net: 'cnn', arch: recipe.arch, batch: recipe.batch, recipe };
    const threadCounts = { ...CNN_THREADS, wasm: cnnWasmThreads };
    // The rows the targets compare with each other (native, WebAssembly on each thread count) run
    // in rounds, one of each per round, so that a drift of the machine's speed falls on all of them
    // alike; bench/rounds.js keeps each one's median.
    const rounds = [], cnnStart = plan.length;
    for (const impl of CNN_IMPLS.filter((i) => impls.includes(i))) {
      if (impl === 'page-chromium') {
        if (!quick) for (const page of ['served', 'file']) plan.push({ ...cnn, impl, page });
        continue;
      }
      for (const threads of threadCounts[impl] || [1]) {
        if (ROUND_IMPLS.includes(impl)) rounds.push({ ...cnn, impl, threads }); else plan.push({ ...cnn, impl, threads });
      }
      // a target times the `cnn` preset's whole run (to >= 99%), not the recipe's epochs: a row
      // of its own when they differ (when they agree, the recipe's row is that very run)
      if (impl === 'native' && !quick && recipe.presetEpochs !== recipe.epochs) plan.push({ ...cnn, impl, threads: 1, preset: recipe.preset });
    }
    const inRounds = [];
    for (let round = 1; round <= cnnRounds; round++) inRounds.push(...rounds.map((item) => ({ ...item, round, rounds: cnnRounds })));
    plan.splice(cnnStart, 0, ...inRounds);
  }
  return plan;
}

module.exports = { choices, planOf };
