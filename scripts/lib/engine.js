'use strict';
/**
 * The C core's WebAssembly module for Node scripts, bench and tests: where the built
 * module is, the engine that drives it (web/worker/engine.js), and the core's own
 * description of an architecture text (mnist_arch_describe: the one home of the
 * architecture grammar; nothing else parses those texts).
 *
 * Public: WASM_PATH, MnistEngine, createEngine() -> a one-thread engine,
 * describeArch(text) -> the core's description {ok, tokens: ['784', 'c16k3', ...],
 * params, layers: [{kind: 'input'|'conv'|'pool'|'dense', h, w, c, size, params, filters,
 * kernel, pad, activation}, ...]} (one layer per token, the input first); throws the
 * core's sentence when it refuses the text.
 */

const fs = require('node:fs');
const path = require('node:path');

const { MnistEngine } = require('../../web/worker/engine.js');

const WASM_PATH = path.resolve(__dirname, '..', '..', 'web', 'build', 'mnist.wasm');

async function createEngine() {
  if (!fs.existsSync(WASM_PATH)) throw new Error(`${WASM_PATH} is missing (make wasm builds it)`);
  return MnistEngine.create(fs.readFileSync(WASM_PATH));
}

let describer = null; // one engine answers every description of this process

async function describeArch(text) {
  describer = describer || createEngine();
  const described = (await describer).describeArch(text);
  if (!described.ok) throw new Error(`${text}: ${described.message}`);
  return described;
}

module.exports = { WASM_PATH, MnistEngine, createEngine, describeArch };
