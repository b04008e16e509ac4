/* transport.js - the worker's message transport: receives the page's requests,
 * hands each to the training session, and answers a failure with one `error`
 * message (PROTOCOL.md).
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

  // The stage an error of each request reports (PROTOCOL.md `error`); the rest: 'train'.
  const STAGES = {
    init: 'init', load: 'data', configure: 'config', 'set-hyper': 'config', reset: 'config',
    'load-model': 'model', 'save-model': 'model', predict: 'inspect', mistakes: 'inspect', cell: 'inspect', weights: 'inspect',
    'describe-arch': 'inspect',
    teach: 'teach', 'taught-examples': 'teach',
  };

  let session = null;

  async function init(m) {
    if (m.role === 'tester') { // a second worker, for the training worker's tests (tester.js)
      MnistTester.serve(await MnistEngine.create(m.wasm), m.port);
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
    session = new MnistSession(engine, post, { tester: m.tester });
    post({ type: 'ready', simd: true, version: 1, threads: engine.threads, threadError, rules: engine.rules });
  }

  function fail(type, error) {
    const stage = Object.prototype.hasOwnProperty.call(STAGES, type) ? STAGES[type] : 'train';
    const message = { type: 'error', stage, field: (error && error.field) || null, message: error && error.message ? error.message : String(error) };
    if (stage === 'train' && session) message.run = session.run;
    post(message);
  }

  port.listen(async (message) => {
    const type = message && message.type;
    if (type === 'init') {
      try { await init(message); } catch (error) { fail(type, error); }
      return;
    }
    if (typeof type !== 'string' || !MnistSession.REQUESTS.includes(type)) {
      fail(type, new Error(`unknown message type '${type}'`));
      return;
    }
    if (!session) {
      fail(type, new Error('the WebAssembly module is not ready yet'));
      return;
    }
    try {
      session.handle(message);
    } catch (error) {
      fail(type, error);
    }
  });
})();
