/* main.js - the worker's entry (esbuild bundles it into web/build/worker.js): its message
 * transport. Receives the page's requests, checks each against the contract
 * (common/protocol.js, with the core's rules once the engine runs: a malformed one changes
 * nothing), hands it to the training session (session.js), and answers a failure with one
 * `error` message (PROTOCOL.md), which echoes the request's `req`. One init per
 * worker: a second one is refused. Init with `role: 'tester'` makes this worker the tester
 * of a training worker instead (tester.js), on the port it is given.
 *
 * The same bundle runs as a browser Web Worker and, in the tests, as a Node worker thread. */

import { VERSION, checkRequest, errorMessage, answer } from '../../common/protocol.js';
import { IN_BROWSER, nodeModule } from './host.js';
import { MnistEngine } from './engine.js';
import { createSession } from './session.js';
import * as Tester from './tester.js';

const port = IN_BROWSER
  ? { post: (m, t) => self.postMessage(m, t || []), listen: (fn) => { self.onmessage = (e) => fn(e.data); } }
  : (() => {
    const { parentPort } = nodeModule('node:worker_threads');
    return { post: (m, t) => parentPort.postMessage(m, t || []), listen: (fn) => parentPort.on('message', fn) };
  })();
const post = (message, transfer) => port.post(message, transfer);

let session = null;
let initialised = false; // an init arrived (and did not fail): another one is refused
let isTester = false;     // this worker tests for a training worker, on its port (tester.js)
let rules = null;         // the core's (ready.rules): the checks of settings, texts and files use them

async function init(m) {
  if (m.role === 'tester') { // a second worker, for the training worker's tests (tester.js)
    Tester.serve(await MnistEngine.create(m.wasm), m.port);
    isTester = true;
    post(answer(m, { type: 'ready', role: 'tester' }));
    return;
  }
  let threadError = null;
  let engine;
  try {
    engine = await MnistEngine.create(m.wasm, {
      threads: m.threads || 1, threadedWasm: m.wasmThreads, onThreadError: (e) => { threadError = e.message; },
    });
  } catch (error) {
    throw new Error(`This browser cannot run the trainer's WebAssembly module (it needs WebAssembly SIMD): ${error.message}`);
  }
  session = createSession(engine, post, { tester: m.tester, fail });
  rules = engine.rules;
  post(answer(m, { type: 'ready', simd: true, version: VERSION, threads: engine.threads, threadError, rules: engine.rules }));
}

/** The one `error` reply to a request (its message, or {type, req}; type null: not a
 *  request) that failed. */
function fail(request, error) {
  post(errorMessage(request, error, session ? session.run : undefined));
}

port.listen(async (message) => {
  let type = null;
  try {
    type = checkRequest(message, rules);
  } catch (error) {
    const isObject = message !== null && typeof message === 'object';
    fail({ type: error.request || null, req: isObject ? message.req : undefined }, error);
    return;
  }
  if (type === 'init') {
    if (initialised) {
      fail(message, new Error('the worker is already initialised: one worker runs one engine (start a new worker for another)'));
      return;
    }
    initialised = true;
    try { await init(message); } catch (error) { initialised = false; fail(message, error); }
    return;
  }
  if (!session) {
    fail(message, new Error(isTester ? 'this worker is a tester: it takes its tests from the training worker\'s port'
      : initialised ? 'the WebAssembly module is not ready yet' : 'send init first'));
    return;
  }
  try {
    session.handle(message);
  } catch (error) {
    fail(message, error);
  }
});
