/* engine-threads.js - the threads of the threaded WebAssembly module, for
 * engine-wasm.js: starting the helper threads on a shared memory, and choosing
 * between one thread and all of them as training goes.
 *
 *   start(engine, module, memory, threads)   starts threads - 1 helpers
 *   threadsFor(cores), cap(wanted), canShareMemory(), memoryImportLimits(wasmBytes), new ThreadChoice() */

import { nodeModule } from './host.js';

// The most threads an engine starts. Each task cuts its work into 4 slices per thread
// (parallel.c), along its samples (a batch of 64 to 256) or its output channels and units
// (16 to 64 in the presets' nets; 10 in the last layer): at 8 threads every task but the
// last layer's still has 2 or more units per thread. Each thread is a module instance on the
// shared memory (its code and a 64 KiB stack). Beyond 8, most slices would be one unit or
// empty; unmeasured, as any count above 2 is on the 2-core development machine.
const MAX_THREADS = 8;
// From this many cores on, one is left to the page: its main thread draws and handles input
// while every helper spins on the work, and a helper put aside holds up its slice.
const SPARE_CORE_FROM = 5;
const HELPER_STACK_BYTES = 1 << 16;
// Helpers that have not started by then never will (a browser short of threads): init
// must still be answered, so the engine falls back to one thread.
const HELPER_START_MS = 15000;
const STACK_ALIGN = 16;

/* A helper thread: instantiates the module on the shared memory, moves its
 * C stack to its own region, and parks in helper_loop (never returns). */
function helperMain() {
  // (its own source, run as a worker: it can import nothing)
  const inNode = typeof self === 'undefined';
  const port = inNode ? process.getBuiltinModule('node:worker_threads').parentPort : self;
  const start = (m) => {
    const env = { memory: m.memory, emscripten_notify_memory_growth() {} };
    const instance = new WebAssembly.Instance(m.module, { env });
    instance.exports.stackRestore(m.stackTop);
    port.postMessage('ready');
    instance.exports.helper_loop();
  };
  if (inNode) port.once('message', start); else self.onmessage = (e) => start(e.data);
}

function startHelper() {
  const source = `(${helperMain.toString()})();`;
  if (typeof Worker === 'function' && typeof Blob === 'function' && typeof URL.createObjectURL === 'function') {
    const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
    return { worker, send: (m) => worker.postMessage(m), onReady: (fn) => { worker.onmessage = fn; }, stop: () => worker.terminate() };
  }
  const { Worker: NodeWorker } = nodeModule('node:worker_threads');
  const worker = new NodeWorker(source, { eval: true });
  worker.unref();
  return { worker, send: (m) => worker.postMessage(m), onReady: (fn) => worker.once('message', fn), stop: () => worker.terminate() };
}

/** The most threads that pay on a machine with `cores` cores: every core up to 4, then
 *  one fewer than the cores (one left to the page), at most MAX_THREADS. */
export function threadsFor(cores) {
  const n = Math.max(1, Math.floor(cores) || 1);
  return Math.min(n >= SPARE_CORE_FROM ? n - 1 : n, MAX_THREADS);
}

/** The threads an engine may start when `wanted` are asked for: at most threadsFor the
 *  machine's cores (navigator.hardwareConcurrency; Node: os.availableParallelism). */
export function cap(wanted) {
  const cores = typeof navigator === 'object' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency
    : nodeModule('node:os').availableParallelism();
  return Math.max(1, Math.min(Math.floor(wanted) || 1, threadsFor(cores)));
}

/** Whether this context may share memory between threads (browsers: only when cross-origin isolated). */
export function canShareMemory() {
  if (typeof SharedArrayBuffer !== 'function') return false;
  return typeof crossOriginIsolated === 'undefined' || crossOriginIsolated === true;
}

/**
 * { initial, maximum, shared } (64 KiB pages) of the memory a module imports,
 * read from its import section, or null. The Makefile (MT_FLAGS) is the one
 * place they are declared; WebAssembly.Module.imports() does not report them.
 */
export function memoryImportLimits(wasmBytes) {
  const b = new Uint8Array(wasmBytes.buffer || wasmBytes, wasmBytes.byteOffset || 0, wasmBytes.byteLength);
  let pos = 8; // magic and version
  const uleb = () => {
    let value = 0, scale = 1, byte;
    do { byte = b[pos++]; value += (byte & 0x7f) * scale; scale *= 128; } while (byte & 0x80);
    return value;
  };
  const skipName = () => { const length = uleb(); pos += length; };
  const limits = () => {
    const flags = b[pos++];
    const initial = uleb();
    return { initial, maximum: flags & 1 ? uleb() : undefined, shared: (flags & 2) !== 0 };
  };
  while (pos < b.length) {
    const id = b[pos++], size = uleb(), end = pos + size;
    if (id === 2) { // the import section: module, name, kind, then the kind's type
      for (let n = uleb(); n > 0; n--) {
        skipName();
        skipName();
        const kind = b[pos++];
        if (kind === 0) uleb();                    // function: type index
        else if (kind === 1) { pos++; limits(); }  // table: element type, limits
        else if (kind === 2) return limits();      // memory
        else pos += 2;                             // global: value type, mutability
      }
    }
    pos = end;
  }
  return null;
}

/** Starts threads - 1 helpers for an engine whose module runs on `memory`. */
export async function start(engine, module, memory, threads) {
  const starts = [];
  for (let id = 1; id < threads; id++) {
    // The C stack must be 16-byte aligned: the compiler addresses a vector
    // spilled to the stack as base | lane offset, which reads the wrong lanes
    // from a stack 8 bytes off (malloc aligns to 8 only).
    const stack = engine.x.mem_alloc(HELPER_STACK_BYTES + STACK_ALIGN);
    const helper = startHelper();
    engine.helpers.push(helper);
    starts.push(new Promise((resolve, reject) => {
      helper.onReady(() => resolve());
      const fail = (e) => reject(new Error(`a helper thread failed to start: ${e.message || e}`));
      if (helper.worker.addEventListener) helper.worker.addEventListener('error', fail); else helper.worker.once('error', fail);
    }));
    helper.send({ module, memory, id, stackTop: (stack + HELPER_STACK_BYTES + STACK_ALIGN) & -STACK_ALIGN });
  }
  let timer;
  const late = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the helper threads did not start within ${HELPER_START_MS / 1000} s`)), HELPER_START_MS);
  });
  try {
    await Promise.race([Promise.all(starts), late]);
  } finally {
    clearTimeout(timer);
  }
  engine.x.set_helpers(threads - 1);
}

/* Threads pay only while the cores are free: if another program (or tab)
 * keeps one busy, the helpers wait for it and one thread is faster. So
 * every so many slices the other setting runs for PROBE_SLICES slices,
 * and whichever trained more samples per millisecond stays. A probe costs
 * (the slower setting runs), so each one that keeps the setting doubles the
 * wait before the next, from PROBE_EVERY up to PROBE_EVERY_MAX slices (about
 * 10 s); one that changes it starts over. The results are the same bits
 * either way. */
const PROBE_EVERY = 30, PROBE_EVERY_MAX = 240, PROBE_SLICES = 3;

export class ThreadChoice {
  constructor() {
    this.rate = {};   // threads -> samples per ms (moving average)
    this.slices = 0;  // slices since the last probe
    this.every = PROBE_EVERY; // slices between probes
    this.probe = 0;   // slices of the probe still to run
    this.before = 0;  // the setting before the probe
  }

  record(threads, samples, ms) {
    const r = samples / Math.max(ms, 0.01);
    const old = this.rate[threads];
    this.rate[threads] = old === undefined ? r : old * 0.6 + r * 0.4;
  }

  /** The thread count for the next slice, or 0 to keep the current one. */
  next(current, max) {
    if (max === 1) return 0;
    if (this.probe > 0) {
      if (--this.probe > 0) return 0;
      const one = this.rate[1] || 0, many = this.rate[max] || 0;
      const choice = one > many ? 1 : max;
      this.every = choice === this.before ? Math.min(2 * this.every, PROBE_EVERY_MAX) : PROBE_EVERY;
      return choice;
    }
    if (++this.slices < this.every) return 0;
    this.slices = 0;
    this.probe = PROBE_SLICES;
    this.before = current;
    return current === 1 ? max : 1;
  }
}
