/* client.js - the worker client (one job: talk to the training worker, web/PROTOCOL.md).
 * Starts the worker from the bundle's Blob URL (file:// forbids new Worker('worker.js')),
 * sends requests and matches their replies by request id (each request carries a new
 * `req`, and the worker's answer to it, reply or `error` of whatever stage, echoes it),
 * and routes every other message to the handler registered for its type.
 *
 * A request whose answer never comes fails after a bound from its send (BOUND_MS; LONG_BOUND_MS
 * for those that may wait for passes over the test set or move large files: a CNN's pass
 * takes seconds, tens of them on a busy machine), with an error of stage 'timeout' ('init'
 * for init), so that no caller waits for good.
 *
 * Run ids: every request that builds a network (configure, reset, load-model) carries
 * a new `run`, and the worker tags every message about a network with the run of that
 * network; messages of any other run than the current one (a network replaced, still
 * reporting) are dropped here, so no one else needs to guard against them.
 *
 * Exports:
 *   MISSING_BUILD                the message when the build's worker or WebAssembly is absent
 *   start(bundle, onFatal(stage, message)) -> Promise of the `ready` message; throws when the
 *                                worker cannot even start (no build, no Worker)
 *   request(msg, transfer) -> Promise of the reply (of a type the contract, common/protocol.js,
 *                                says answers it); rejects with an Error whose
 *                                `stage` is the worker's (or 'init', or 'timeout': no answer
 *                                within the bound) and `field` the rejected setting's key (or null)
 *   build(msg, transfer)         a request that builds a network: sent with a new run, answered
 *                                by `configured`; when it fails the network (and run) stay
 *   newRun()                     from now on, drop every message about the networks so far
 *   post(msg)                    a message whose answers are routed (it carries no `req`)
 *   on(type, handler)            handler(message) for messages that answer no request
 *   failAll(stage, message)      rejects every request still waiting
 *   setBounds(ms, longMs, threadedReadyMs)   the bounds of a request's wait, and of the threaded
 *                                worker's `ready` before one thread starts instead (tests shorten them)
 *   started()                    whether a worker runs
 *   hasTester()                  whether a tester worker runs beside it while training (when training
 *                                runs on one thread and the machine has more than one core); it
 *                                ends after each run, giving its memory back
 */
import * as Unpack from './unpack.js';
import { carriesRun, stageOf, WAITING, REQUEST_ID } from '../../common/protocol.js';
import { relay } from '../worker/tester.js';

var MISSING_BUILD = 'The WebAssembly build is missing: run `make` (needs emscripten)';

var trainer = null;
var tester = null; // the relay to the second worker that tests while the first trains on one thread (worker/tester.js)
var run = 0;       // the run of the network the page asked for last
var waiters = new Map(); // req -> {type, resolve, reject, since, bound}
var lastReq = 0;
var routes = {};
var BOUND_MS = 60000;       // a request answered at once by the worker (between its slices)
var LONG_BOUND_MS = 300000; // one that may wait for passes over the test set, or moves large files
var LONG = ['init', 'load', 'load-model'].concat(WAITING);
var watching = null;        // the timer that looks for requests past their bound
var CHECK_EVERY_MS = 1000;
var THREADED_READY_MS = 20000; // the threaded worker's `ready`, before one thread is started instead

function workerError(stage, message, field) {
  var e = new Error(message);
  e.stage = stage;
  e.field = field || null;
  return e;
}

/** Sends msg with a new request id; its answer is the worker's message that echoes it. */
function request(msg, transfer) {
  return new Promise(function (resolve, reject) {
    var req = ++lastReq;
    msg[REQUEST_ID] = req;
    var bound = LONG.indexOf(msg.type) >= 0 ? LONG_BOUND_MS : BOUND_MS;
    waiters.set(req, { type: msg.type, resolve: resolve, reject: reject, since: Date.now(), bound: bound });
    try {
      trainer.postMessage(msg, transfer || []);
    } catch (e) {
      waiters.delete(req);
      reject(workerError('init', 'Could not send "' + msg.type + '" to the worker: ' + e.message));
      return;
    }
    watch();
  });
}

/** Fails the requests past their bound; looks again while any waits. */
function watch() {
  if (watching || waiters.size === 0) return;
  watching = setTimeout(function () {
    watching = null;
    var now = Date.now();
    waiters.forEach(function (w, req) {
      if (now - w.since < w.bound) return;
      waiters.delete(req);
      w.reject(workerError(w.type === 'init' ? 'init' : 'timeout', 'The training worker did not answer "' + w.type +
        '" within ' + Math.round(w.bound / 1000) + ' s (' + stageOf(w.type) + '): nothing was changed here; try again' +
        (w.type === 'init' ? '' : ', or reload the page if it keeps happening') + '.'));
    });
    watch();
  }, CHECK_EVERY_MS);
}

function setBounds(ms, longMs, threadedReadyMs) {
  BOUND_MS = ms;
  LONG_BOUND_MS = longMs;
  if (threadedReadyMs) THREADED_READY_MS = threadedReadyMs;
  CHECK_EVERY_MS = Math.max(10, Math.min(1000, ms / 4));
}

function newRun() {
  return ++run;
}

function build(msg, transfer) {
  var before = run;
  msg.run = newRun();
  return request(msg, transfer).catch(function (e) {
    if (run === msg.run) run = before; // nothing was built: the old network's messages count again
    throw e;
  });
}

function post(msg) {
  if (trainer) trainer.postMessage(msg);
}

function failAll(stage, message) {
  var all = Array.from(waiters.values());
  waiters.clear();
  all.forEach(function (w) { w.reject(workerError(stage, message)); });
}

function onMessage(ev) {
  var m = ev.data;
  if (!m || typeof m.type !== 'string') return;
  // a run that ended needs no tester: its memory goes with it (the next test starts another)
  if (tester && (m.type === 'done' || m.type === 'diverged')) tester.stop();
  if (m[REQUEST_ID] !== undefined) { // the answer to a request: its reply, or its error
    var w = waiters.get(m[REQUEST_ID]);
    if (!w) return; // (a request that has failed already: past its bound)
    waiters.delete(m[REQUEST_ID]);
    if (m.type === 'error') w.reject(workerError(m.stage, m.message, m.field)); else w.resolve(m);
    return;
  }
  if (carriesRun(m) && m.run !== run) return; // about a network the page has replaced
  if (routes[m.type]) routes[m.type](m); // configured/loaded/ready/model outside a request: nothing to do
}

function wasmBuffer(bundle) {
  if (typeof bundle.wasmBase64 === 'string' && bundle.wasmBase64.length) {
    var bytes = Unpack.base64ToBytes(bundle.wasmBase64);
    return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
  }
  var raw = bundle.wasmBytes;
  if (raw instanceof ArrayBuffer) return raw.slice(0);
  if (raw && raw.buffer instanceof ArrayBuffer) return new Uint8Array(raw).slice().buffer;
  return null;
}

/** The relay to a tester worker started from the worker's Blob URL while a run tests
 *  (worker/tester.js relay); returns the training worker's end of their channel, or null
 *  (then the training worker tests by itself). */
function startTester(url, bundle) {
  if (typeof MessageChannel !== 'function') return null;
  tester = relay(function (port, lost) {
    var worker;
    try {
      worker = new Worker(url);
    } catch (e) {
      return null;
    }
    // A tester that fails leaves the tests to the training worker, which hears of it.
    worker.addEventListener('error', function (e) { e.preventDefault(); lost('the tester worker stopped with an error'); });
    worker.addEventListener('message', function (e) {
      if (e.data && e.data.type === 'error') lost(e.data.message);
    });
    var wasm = wasmBuffer(bundle);
    worker.postMessage({ type: 'init', role: 'tester', wasm: wasm, port: port }, [wasm, port]);
    return worker;
  });
  return tester.port;
}

/** The training worker from the bundle's Blob URL, with the threaded module when `threaded`;
 *  wasm: the one-thread module's bytes (transferred to it); -> Promise of its `ready`. */
function launch(bundle, url, onFatal, threaded, wasm) {
  try {
    trainer = new Worker(url);
  } catch (e) {
    URL.revokeObjectURL(url);
    throw workerError('init', 'The training worker could not start (' + e.message + ').');
  }
  var worker = trainer;
  trainer.addEventListener('message', onMessage);
  trainer.addEventListener('error', function (e) {
    e.preventDefault();
    if (worker === trainer) onFatal('init', 'The training worker stopped with an error: ' + (e.message || 'unknown error') + '.');
  });
  trainer.addEventListener('messageerror', function () {
    if (worker === trainer) onFatal('init', 'A message from the training worker could not be read.');
  });
  var init = { type: 'init', wasm: wasm };
  var transfer = [wasm];
  var cores = navigator.hardwareConcurrency || 1;
  if (threaded) {
    var threadedWasm = Unpack.base64ToBytes(bundle.wasmThreadsBase64).slice().buffer;
    init.wasmThreads = threadedWasm;
    init.threads = cores; // the worker starts at most as many as pay (engine-threads.js)
    transfer.push(threadedWasm);
  } else if (cores > 1) {
    // One thread trains; another core is free: the tests while training run there.
    init.tester = startTester(url, bundle);
    if (init.tester) transfer.push(init.tester);
  }
  return request(init, transfer);
}

function start(bundle, onFatal) {
  if (!bundle || typeof bundle.workerSource !== 'string' || !bundle.workerSource) {
    throw workerError('init', MISSING_BUILD);
  }
  var wasm = wasmBuffer(bundle);
  if (!wasm) throw workerError('init', MISSING_BUILD);
  var url = URL.createObjectURL(new Blob([bundle.workerSource], { type: 'text/javascript' }));
  // Threads need shared memory, which browsers allow only on a cross-origin
  // isolated page (make serve sends COOP/COEP); elsewhere one thread runs.
  var threaded = self.crossOriginIsolated === true && (navigator.hardwareConcurrency || 1) > 1 && !!bundle.wasmThreadsBase64;
  var ready = launch(bundle, url, onFatal, threaded, wasm);
  if (threaded) {
    // A browser short of threads can leave a worker that starts threads blocked for good
    // (it cannot even time itself out): after a bound, one thread without them.
    var timer;
    var late = new Promise(function (resolve) { timer = setTimeout(resolve, THREADED_READY_MS); });
    ready = Promise.race([ready, late]).then(function (m) {
      clearTimeout(timer);
      if (m) return m;
      var blocked = trainer;
      blocked.terminate();
      waiters.clear(); // (only its init waited)
      var again = launch(bundle, url, onFatal, false, wasmBuffer(bundle)); // (the first copy went to it)
      return again.then(function (r) {
        r.threadError = 'the threaded worker did not answer within ' + THREADED_READY_MS / 1000 + ' s: one thread instead';
        return r;
      });
    });
  }
  return ready.then(function (m) {
    if (!tester) URL.revokeObjectURL(url); // (a tester starts from it again on each run)
    return m;
  });
}

export function on(type, handler) { routes[type] = handler; }
export function started() { return !!trainer; }
export function hasTester() { return !!tester; }
export { MISSING_BUILD, start, request, build, newRun, post, failAll, setBounds };
