/* transport.js - the worker's message transport: receives the page's requests,
 * checks each against requests.js (a malformed one changes nothing), hands it to
 * the training session, and answers a failure with one `error` message
 * (PROTOCOL.md). One init per worker: a second one is refused.
 *
 * The last file of the worker's source (scripts/build-bundle.js concatenates
 * engine.js, session.js, transport.js): it starts everything. The same source
 * runs as a browser Web Worker and, in the tests, as a Node worker thread.
 */
'use strict';

(function () {
  const inBrowser = typeof importScripts === 'function' || typeof WorkerGlobalScope !== 'undefined';
  const port = inBrowser
    ? { post: (m, t) => self.postMessage(m, t || []), listen: (fn) => { self.onmessage = (e) => fn(e.data); } }
    : (() => {
      const { parentPort } = require('node:worker_threads');
      return { post: (m, t) => parentPort.postMessage(m, t || []), listen: (fn) => parentPort.on('message', fn) };
    })();
  const post = (message, transfer) => port.post(message, transfer);

  let session = null;
  let initialised = false; // an init arrived (and did not fail): another one is refused
  let isTester = false;     // this worker tests for a training worker, on its port (tester.js)

  async function init(m) {
    if (m.role === 'tester') { // a second worker, for the training worker's tests (tester.js)
      MnistTester.serve(await MnistEngine.create(m.wasm), m.port);
      isTester = true;
      post({ type: 'ready', role: 'tester' });
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
    session = new MnistSession(engine, post, { tester: m.tester, fail });
    post({ type: 'ready', simd: true, version: 1, threads: engine.threads, threadError, rules: engine.rules });
  }

  /** The one `error` reply to a request of `type` (a known type, or null) that failed. */
  function fail(type, error) {
    const stage = MnistRequests.stage(type);
    const message = { type: 'error', stage, request: type, field: (error && error.field) || null,
      message: error && error.message ? error.message : String(error) };
    if (stage === 'train' && session) message.run = session.run;
    post(message);
  }

  port.listen(async (message) => {
    let type = null;
    try {
      type = MnistRequests.check(message);
    } catch (error) {
      fail(error.request || null, error);
      return;
    }
    if (type === 'init') {
      if (initialised) {
        fail(type, new Error('the worker is already initialised: one worker runs one engine (start a new worker for another)'));
        return;
      }
      initialised = true;
      try { await init(message); } catch (error) { initialised = false; fail(type, error); }
      return;
    }
    if (!session) {
      fail(type, new Error(isTester ? 'this worker is a tester: it takes its tests from the training worker\'s port'
        : initialised ? 'the WebAssembly module is not ready yet' : 'send init first'));
      return;
    }
    try {
      session.handle(message);
    } catch (error) {
      fail(type, error);
    }
  });
})();
