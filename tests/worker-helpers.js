'use strict';
/**
 * The page's worker in a Node worker thread, for the protocol tests: started from
 * the very source the page uses (workerSource of web/build/assets.js, the bundle of
 * web/worker/), with its messages collected.
 *
 *   const w = startWorker(t, { tester });   // t: the node:test context (the worker ends with it)
 *   await w.init(threads); await w.loadMnist();
 *   w.send(message, transfer); await w.waitFor(type, predicate, timeoutMs, since); w.messages
 */

const assert = require('node:assert/strict');
const path = require('node:path');
const { Worker, MessageChannel } = require('node:worker_threads');

const { ROOT, ownBuffer, mnistSet } = require('./helpers');
const { REPLIES, ANSWERS, REQUEST_ID, carriesRun } = require('../common/protocol.js');

// ---- the worker protocol ------------------------------------------------------------------

/** What the page's bundle imports: { version, wasmBytes, wasmBase64, wasmThreadsBase64, workerSource }. */
function loadAssets() {
  return require('../web/build/assets.js');
}

/** What is wrong with a message from the worker by the contract (common/protocol.js), or null:
 *  a type it does not list, a field it does not list for that type, `req` on a message that
 *  answers no request, or `run` where it carries none or missing where it does. */
function offContract(m) {
  const reply = REPLIES[m.type];
  if (!reply) return `unknown type ${JSON.stringify(m.type)}`;
  const extra = Object.keys(m).filter((k) => !['type', 'run', 'receivedAt', REQUEST_ID].includes(k) && !reply.fields.includes(k));
  if (extra.length) return `${m.type} has ${extra.join(', ')}, not in REPLIES`;
  if (m[REQUEST_ID] !== undefined && !ANSWERS.includes(m.type)) return `${m.type} answers no request, yet carries ${REQUEST_ID}`;
  // (an error of stage 'train' before init has no network, and no run id)
  const runOk = carriesRun(m) ? Number.isInteger(m.run) || (m.type === 'error' && m.run === undefined) : m.run === undefined;
  if (!runOk) return `${m.type}${m.stage ? ` (${m.stage})` : ''}: run ${m.run}`;
  return null;
}

/** Starts the page's worker source in a worker thread; collects its messages. With
 *  `tester`, init also starts a tester worker beside it, as the page does without threads. */
function startWorker(t, { tester = false } = {}) {
  const assets = loadAssets();
  const worker = new Worker(assets.workerSource, { eval: true });
  const messages = [];
  const waiters = [];
  const faults = []; // messages off the contract: the test fails at its end
  worker.on('message', (m) => {
    const fault = offContract(m);
    if (fault && faults.length < 5) faults.push(fault);
    m.receivedAt = performance.now();
    messages.push(m);
    for (const w of waiters.slice()) {
      if (w.match(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  worker.on('error', (e) => { throw e; });
  worker.on('exit', (code) => { w.exited = code; });
  t.after(() => {
    worker.terminate();
    assert.deepEqual(faults, [], 'every message of the worker is as common/protocol.js says');
  });
  const w = {
    worker,
    exited: null, // the exit code once the worker thread has ended
    messages,
    send(message, transfer) { worker.postMessage(message, transfer || []); },
    /** Next message (after `since`) of a type, optionally matching a predicate. */
    waitFor(type, predicate = () => true, timeoutMs = 60000, since = messages.length) {
      const match = (m) => m.type === type && predicate(m);
      const seen = messages.slice(since).find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve };
        waiters.push(waiter);
        setTimeout(() => reject(new Error(`no '${type}' message within ${timeoutMs} ms; got ${messages.slice(since).map((x) => x.type).join(', ')}`)), timeoutMs).unref();
      });
    },
    async init(threads = 1) {
      const wasm = () => ownBuffer(Buffer.from(assets.wasmBase64, 'base64'));
      const buffer = wasm();
      const threaded = ownBuffer(Buffer.from(assets.wasmThreadsBase64, 'base64'));
      const message = { type: 'init', wasm: buffer, wasmThreads: threaded, threads };
      const transfer = [buffer, threaded];
      if (tester) {
        const testerWorker = new Worker(assets.workerSource, { eval: true });
        t.after(() => testerWorker.terminate());
        w.stopTester = () => testerWorker.terminate();
        const channel = new MessageChannel();
        const testerWasm = wasm();
        const ready = new Promise((resolve) => testerWorker.on('message', (m) => { if (m.type === 'ready') resolve(m); }));
        testerWorker.postMessage({ type: 'init', role: 'tester', wasm: testerWasm, port: channel.port2 }, [testerWasm, channel.port2]);
        assert.equal((await ready).role, 'tester');
        message.tester = channel.port1;
        transfer.push(channel.port1);
      }
      w.send(message, transfer);
      return w.waitFor('ready');
    },
    async loadMnist() {
      for (const [set, prefix] of [['train', 'train'], ['test', 't10k']]) {
        const { images, labels } = mnistSet(prefix);
        const since = messages.length;
        w.send({ type: 'load', set, images, labels, names: { images: `${prefix}-images`, labels: `${prefix}-labels` } }, [images, labels]);
        assert.equal(images.byteLength, 0, 'the buffer was transferred, not copied');
        await w.waitFor('loaded', (m) => m.set === set, 60000, since);
      }
    },
  };
  return w;
}

module.exports = { startWorker, loadAssets };
