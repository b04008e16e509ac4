/* engine-wasm.js - the C core's WebAssembly instance and its memory: instantiating the
 * module (a standalone module with one import, or the threaded one on a shared memory
 * with its helper threads, engine-threads.js), copying bytes and texts in, reading
 * numbers and texts out, and turning the core's refusals into Errors. engine.js's
 * MnistEngine builds on it; nothing here knows what the core computes.
 *
 *   class WasmModule
 *     static async create(wasmBytes, options)   an instance of the class it is called on
 *     x (the module's exports), memory, rules (the core's presets and limits), threads,
 *     maxThreads, useThreads(n), destroy(), bytes(), copyIn(data), copyString(text),
 *     string(ptr), check(status), coreError(), named(ptr, names), call(fn, args)
 *   failure(message, field)    an Error with error.field: the setting at fault (null: none)
 */

import * as Threads from './engine-threads.js';

/** An Error with the setting at fault (null: none). */
export function failure(message, field = null) {
  return Object.assign(new Error(message), { field });
}

export class WasmModule {
  /**
   * options.threads > 1 with options.threadedWasm (mnist-mt.wasm) runs the
   * layers' big products on that many threads (at most Threads.cap's: the
   * machine's cores, one fewer from 5 on, at most 8) when memory can be shared;
   * otherwise (or if starting threads fails) the one-thread module runs.
   * Results are the same bits either way. engine.threads says which.
   */
  static async create(wasmBytes, options = {}) {
    const threads = Threads.cap(options.threads || 1);
    if (threads > 1 && options.threadedWasm && Threads.canShareMemory()) {
      try {
        return await this.createThreaded(options.threadedWasm, threads, options);
      } catch (error) {
        if (options.onThreadError) options.onThreadError(error);
      }
    }
    const module = await WebAssembly.compile(wasmBytes);
    // The module's single import tells us when memory grew; views are
    // re-created on every access anyway, so there is nothing to do.
    const instance = await WebAssembly.instantiate(module, { env: { emscripten_notify_memory_growth() {} } });
    return new this(instance.exports, instance.exports.memory, options);
  }

  static async createThreaded(wasmBytes, threads, options) {
    const limits = Threads.memoryImportLimits(wasmBytes);
    if (!limits || !limits.shared) throw new Error('the threaded module imports no shared memory');
    const module = await WebAssembly.compile(wasmBytes);
    const memory = new WebAssembly.Memory({ initial: limits.initial, maximum: limits.maximum, shared: true });
    const instance = await WebAssembly.instantiate(module, { env: { memory, emscripten_notify_memory_growth() {} } });
    const engine = new this(instance.exports, memory, options);
    try {
      await Threads.start(engine, module, memory, threads);
    } catch (error) {
      engine.destroy();
      throw error;
    }
    return engine;
  }

  constructor(exports, memory) {
    this.x = exports;
    this.memory = memory;
    this.helpers = [];
    this.x._initialize();
    this.rules = JSON.parse(this.string(this.x.rules()));
  }

  /** Threads that compute now (1 for the one-thread module). */
  get threads() { return this.x.threads(); }

  /** Threads that could compute: 1 + the helpers started. */
  get maxThreads() { return this.helpers.length + 1; }

  /** Uses n of the started threads from the next task on (same bits either way). */
  useThreads(n) {
    this.x.set_helpers(Math.max(0, Math.min(this.helpers.length, Math.floor(n) - 1)));
  }

  /** Stops the helper threads (the engine is unusable afterwards if it had any). */
  destroy() {
    for (const helper of this.helpers) helper.stop();
    this.helpers = [];
  }

  // ---- memory helpers (views are fresh: memory may have grown) -------------
  bytes() { return new Uint8Array(this.memory.buffer); }

  copyIn(data) {
    const ptr = this.x.mem_alloc(data.byteLength);
    if (!ptr) throw failure(`out of WebAssembly memory for ${data.byteLength} bytes`);
    this.bytes().set(new Uint8Array(data.buffer || data, data.byteOffset || 0, data.byteLength), ptr);
    return ptr;
  }

  copyString(text) { return this.copyIn(new TextEncoder().encode(`${text}\0`)); }

  /** The NUL-terminated string at ptr. */
  string(ptr) {
    const bytes = this.bytes();
    let end = ptr;
    while (bytes[end] !== 0) end++;
    // slice(): browsers refuse to decode a view of shared memory (the threaded module's)
    return new TextDecoder().decode(bytes.slice(ptr, end));
  }

  check(status) {
    if (status !== 0) throw this.coreError();
  }

  coreError() { return failure(this.string(this.x.error_message()), this.string(this.x.error_field()) || null); }

  /** The doubles at ptr as an object, by name; a name ending in '?' is a flag. */
  named(ptr, names) {
    const values = new Float64Array(this.memory.buffer, ptr, names.length);
    const out = {};
    names.forEach((name, k) => {
      if (name.endsWith('?')) out[name.slice(0, -1)] = values[k] !== 0; else out[name] = values[k];
    });
    return out;
  }

  /** The module's function fn on args, each text among them copied into the module's
   *  memory for the call (passed as a pointer to it), numbers as they are. */
  call(fn, args) {
    const pointers = [];
    try {
      return fn(...args.map((a) => {
        if (typeof a !== 'string') return a;
        pointers.push(this.copyString(a));
        return pointers[pointers.length - 1];
      }));
    } finally {
      pointers.forEach((p) => this.x.mem_free(p));
    }
  }
}
