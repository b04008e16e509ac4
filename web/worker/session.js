/* session.js - the training session inside the worker: one network (through the engine,
 * engine.js) and its run, and the table that answers each request of the protocol
 * (common/protocol.js; init is main.js's). The work is split by job:
 * Each answer to a request goes out through s.reply(m, message), which echoes the request's
 * `req` (protocol.js answer), and each failure through s.fail(m, error).
 *   jobs.js        the queue of work in slices, and the requests that wait for it
 *   figures.js     the run's figures and its `progress` reports
 *   evaluation.js  the tests on the test set (here or on the tester worker), the preview
 *   training.js    the training loop; start, pause, step
 *   network.js     the network in place: configure, reset, load-model, save-model, export-onnx, set-hyper
 *   inspect.js     the look-inside requests: predict, mistakes, cell, weights
 * They share the session's record `s` (below): the state of the run, and each other.
 *
 *   const session = createSession(engine, postMessage, { tester, fail });
 *   session.handle(message);   one well-formed request (protocol.js checkRequest); throws on a bad one
 *   session.run                the id of the network in place
 *
 * Requests that change the network or need a pass over the test set (protocol.js WAITING)
 * wait in order for the jobs underway; one that replaces the network or the test set
 * cancels them, and each cancelled request gets its error through fail(type, error)
 * (main.js's, which also answers the errors handle throws). Every message about the
 * network or its training carries `run`: the id the page gave with the configure, reset
 * or load-model that built it (s.post stamps it). */

import { REQUEST_TYPES, WAITING, answer as answerTo } from '../../common/protocol.js';
import { createJobs } from './jobs.js';
import { createFigures } from './figures.js';
import { createEvaluation } from './evaluation.js';
import { createTraining } from './training.js';
import { createNetwork } from './network.js';
import { inspectRequests } from './inspect.js';

export function createSession(engine, postMessage, options = {}) {
  const s = {
    engine,
    run: 0,                 // the page's id of the network in place
    config: null,           // as applied (PROTOCOL.md "config")
    state: 'idle',          // idle | training | paused | done | diverged
    progress: null,         // last progress from the engine
    epochStartSamples: 0,   // samples trained when the current epoch began
    generation: 0,          // counts the networks put in place (a background test of an older one is dropped)
    awaitingLastTest: false, // the run reached its target; its last test runs in the background
    target: null,           // the test accuracy the run watches for (config.target), or null
    fail: options.fail || ((request, error) => { throw error; }),
    /** Posts a message about the network in place, stamped with its run id. */
    post(message, transfer) {
      message.run = s.run;
      postMessage(message, transfer);
    },
    /** Posts the answer to request m (about the network in place), echoing its `req`. */
    reply(m, message, transfer) { s.post(answerTo(m, message), transfer); },
    requireNetwork() {
      if (!s.config) throw new Error('configure a network first');
    },
    requireSet(set) {
      if (engine.count(set) === 0) throw new Error(`no ${set === 'train' ? 'training' : 'test'} set loaded`);
    },
    answer,
  };
  s.jobs = createJobs(s);
  s.figures = createFigures(s);
  s.tests = createEvaluation(s, options.tester);
  s.training = createTraining(s);
  s.network = createNetwork(s);

  // ---- the requests (PROTOCOL.md "Page → worker") ------------------------------------------
  const handlers = {
    ...inspectRequests(engine, s.reply, { requireNetwork: s.requireNetwork, requireSet: s.requireSet, classifyTest: s.tests.classify }),
    load(m) {
      if (m.check) {
        // whether the files would load: nothing in place is replaced (the page checks both sets
        // before it lets a network and its run go)
        engine.checkSet(m.set, new Uint8Array(m.images), new Uint8Array(m.labels), m.names || {});
        postMessage(answerTo(m, { type: 'loaded', set: m.set, checked: true }));
        return;
      }
      // (a set the core refuses changes nothing: the old one stays, and the passes over it go on)
      const r = engine.loadSet(m.set, new Uint8Array(m.images), new Uint8Array(m.labels), m.names || {});
      if (m.set === 'test') {
        // the passes over the old test set start over on the new one (one that answers a request: cancelled)
        const dropped = s.jobs.drop('the test set was replaced');
        s.tests.testSetLoaded(m.images, m.labels);
        s.tests.redo(dropped);
      }
      if (m.set === 'train' && s.config) { s.progress = null; s.epochStartSamples = 0; }
      postMessage(answerTo(m, { type: 'loaded', set: m.set, count: r.count }));
    },
    configure: (m) => s.network.configure(m),
    start: (m) => s.training.start(m),
    resume: (m) => s.training.start(m),
    pause: (m) => s.training.pause(m),
    step: (m) => s.training.step(m),
    reset: (m) => s.network.reset(m),
    'set-hyper': (m) => s.network.setHyper(m),
    'save-model': (m) => s.network.saveModel(m),
    'load-model': (m) => s.network.loadModel(m),
    'export-onnx': (m) => s.network.exportOnnx(m),
    evaluate(m) {
      s.requireNetwork();
      s.requireSet('test');
      s.tests.start('request', {}, m);
    },
    // about a text, not the network in place: no run id
    'describe-arch'(m) { postMessage(answerTo(m, { type: 'arch-description', id: m.id, arch: m.arch, ...engine.describeArch(m.arch) })); },
    teach(m) {
      s.requireNetwork();
      const r = engine.teach(m.pixels, m.label);
      s.tests.networkChanged();
      s.reply(m, { type: 'taught', id: m.id, label: m.label, steps: r.steps, taught: r.taught, probabilities: r.probabilities,
        predicted: r.predicted, activations: r.activations, layers: r.layers });
      // what the lesson did to the test accuracy (while training, the next evaluation shows it)
      if (s.state !== 'training') s.tests.start('teach');
    },
    'taught-examples'(m) {
      s.requireNetwork();
      if (m.forget) engine.clearTaught();
      const list = engine.taught(), pixels = engine.rules.pixels, images = new Uint8Array(list.length * pixels);
      list.forEach((e, k) => images.set(e.pixels, k * pixels));
      s.reply(m, { type: 'taught-examples', count: list.length, labels: list.map((e) => e.label), images }, [images.buffer]);
    },
  };
  const missing = REQUEST_TYPES.filter((type) => type !== 'init' && !handlers[type]);
  if (missing.length) throw new Error(`the session answers no ${missing.join(', ')}`);

  function answer(m) {
    if (!Object.prototype.hasOwnProperty.call(handlers, m.type)) throw new Error(`unknown request type '${m.type}'`);
    handlers[m.type](m);
  }

  return {
    /** Answers one request (checked by protocol.js); throws on a bad one. Those of
     *  WAITING wait for the jobs underway; so does a pause sent after a start or resume that
     *  is still waiting, so that it pauses the training that start begins. */
    handle(m) {
      const afterStart = m.type === 'pause' && s.jobs.waits(['start', 'resume']);
      if ((WAITING.includes(m.type) && s.jobs.busy) || afterStart) {
        s.jobs.wait(m);
        return;
      }
      answer(m);
    },
    get run() { return s.run; },
  };
}
