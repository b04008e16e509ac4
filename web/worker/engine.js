/* engine.js - the C core's WebAssembly module as a JavaScript object.
 *
 * Used by the worker (web/worker/session.js; the build puts engine-threads.js,
 * this file and the worker's files together as the worker's source) and by
 * the Node tests (require('web/worker/engine.js')). It instantiates the
 * module itself (a standalone module with one import, plus the shared memory
 * for the threaded one), copies data in, and reads results out of the
 * module's memory, by the names the module gives them. Every method throws
 * an Error with the core's message, and error.field naming the rejected
 * setting ('lr', 'batch', 'arch', ...; null if none), when the core refuses.
 *
 *   const engine = await MnistEngine.create(wasmBytes);
 *   engine.rules.presets.default            // the core's presets and limits
 *   engine.loadSet('train', images, labels, { images: 'train-images…', labels: '…' });   // IDX bytes, gzipped or not
 *   engine.init({ arch: '784-128-10', init: 'he', seed: 1, batch: 64, lr: 0.1, momentum: 0.9,
 *                 weightDecay: 0, lrDecay: 0.3, epochs: 5, iterations: 0, optimizer: 'sgd',
 *                 schedule: 'step', beta1: 0.9, beta2: 0.999, eps: 1e-8, shift: 0, rotate: 0, scale: 0 });
 *   // (the keys: engine.rules.settings; one left out keeps the default preset's value)
 *   // or any preset as it stands: engine.init(engine.rules.presets.cnn)
 *   const progress = engine.step(4096);     // one slice: call again and again
 *   const result = engine.evaluate('test');  // { count, correct, accuracy, loss, confusion }
 */
'use strict';

(function (root) {
  const Threads = root.MnistThreads || require('./engine-threads.js');
  const Inflate = root.MnistInflate || require('./inflate.js');
  const SETS = { train: 0, test: 1 };
  const now = () => performance.now();

  /** An Error with the setting at fault (null: none). */
  function failure(message, field = null) {
    const error = new Error(message);
    error.field = field;
    return error;
  }

  function setIndex(set) {
    if (!(set in SETS)) throw failure(`unknown dataset '${set}' (expected train or test)`);
    return SETS[set];
  }

  const pick = (object, keys) => Object.fromEntries(keys.map((k) => [k, object[k]]));

  /** The architecture as the core's text: '784-c16k3-p2-64-10' as it is, or a list
   *  of widths [784, 128, 10] joined ('784-128-10'); the core checks the rest. */
  function archText(arch) {
    if (typeof arch === 'string') return arch;
    if (Array.isArray(arch) && arch.every((w) => Number.isInteger(w))) return arch.join('-');
    throw failure("architecture must be a text like '784-128-10' or '784-c16k3-p2-64-10', or a list of whole numbers like [784, 128, 10]", 'arch');
  }

  class MnistEngine {
    /**
     * options.threads > 1 with options.threadedWasm (mnist-mt.wasm) runs the
     * layers' big products on that many threads (at most the machine's cores and
     * 4: MnistThreads.cap) when memory can be shared;
     * otherwise (or if starting threads fails) the one-thread module runs.
     * Results are the same bits either way. engine.threads says which; step()
     * keeps choosing between 1 and all threads, whichever trains faster
     * (options.probeThreads: false keeps all of them, for measurements).
     */
    static async create(wasmBytes, options = {}) {
      const threads = Threads.cap(options.threads || 1);
      if (threads > 1 && options.threadedWasm && Threads.canShareMemory()) {
        try {
          return await MnistEngine.createThreaded(options.threadedWasm, threads, options);
        } catch (error) {
          if (options.onThreadError) options.onThreadError(error);
        }
      }
      const module = await WebAssembly.compile(wasmBytes);
      // The module's single import tells us when memory grew; views are
      // re-created on every access anyway, so there is nothing to do.
      const instance = await WebAssembly.instantiate(module, { env: { emscripten_notify_memory_growth() {} } });
      return new MnistEngine(instance.exports, instance.exports.memory, options);
    }

    static async createThreaded(wasmBytes, threads, options) {
      const limits = Threads.memoryImportLimits(wasmBytes);
      if (!limits || !limits.shared) throw new Error('the threaded module imports no shared memory');
      const module = await WebAssembly.compile(wasmBytes);
      const memory = new WebAssembly.Memory({ initial: limits.initial, maximum: limits.maximum, shared: true });
      const instance = await WebAssembly.instantiate(module, { env: { memory, emscripten_notify_memory_growth() {} } });
      const engine = new MnistEngine(instance.exports, memory, options);
      try {
        await Threads.start(engine, module, memory, threads);
      } catch (error) {
        engine.destroy();
        throw error;
      }
      return engine;
    }

    constructor(exports, memory, options) {
      this.x = exports;
      this.memory = memory;
      this.helpers = [];
      this.x._initialize();
      this.rules = JSON.parse(this.string(this.x.rules()));
      this.progressFields = this.string(this.x.progress_fields()).split(' ');
      this.evaluationFields = this.string(this.x.evaluation_fields()).split(' ');
      // Every setting (the core's table, by key) and those a run can change.
      this.settings = new Map(this.rules.settings.map((s) => [s.key, s]));
      this.hyperKeys = this.rules.hyper;
      this.configKeys = [...this.settings.keys()];
      this.hyper = null;
      this.described = null; // the cache of netLayers(): {text, layers}
      this.threadChoice = options.probeThreads === false ? null : new Threads.ThreadChoice();
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

    // ---- data -----------------------------------------------------------------
    /** A data file into the module's memory: IDX bytes as they are, gzip-compressed ones
     *  inflated straight in (inflate.js), so that no decompressed copy is made in JavaScript
     *  (it would stay until a garbage collection). -> { ptr, size } */
    copyData(data, name) {
      const bytes = new Uint8Array(data.buffer || data, data.byteOffset || 0, data.byteLength);
      const max = this.rules.maxFileBytes;
      if (!Inflate.isGzip(bytes)) {
        if (bytes.byteLength > max) throw Inflate.tooLarge(name, max);
        return { ptr: this.copyIn(bytes), size: bytes.byteLength };
      }
      const size = Inflate.gzipSize(bytes, name, max);
      const ptr = this.x.mem_alloc(size);
      if (!ptr) throw failure(`out of WebAssembly memory for ${size} bytes`);
      try {
        Inflate.gunzipInto(bytes, this.bytes().subarray(ptr, ptr + size), name);
      } catch (error) {
        this.x.mem_free(ptr);
        throw error;
      }
      return { ptr, size };
    }

    /** Validates and keeps a set; images/labels are the IDX bytes, gzipped or not (a copy
     *  is kept: the caller's may go). */
    loadSet(set, images, labels, names = {}) {
      const which = setIndex(set);
      const named = { images: names.images || `${set} images`, labels: names.labels || `${set} labels` };
      const imagesData = this.copyData(images, named.images);
      let labelsData;
      try {
        labelsData = this.copyData(labels, named.labels);
      } catch (error) {
        this.x.mem_free(imagesData.ptr);
        throw error;
      }
      const imagesName = this.copyString(named.images);
      const labelsName = this.copyString(named.labels);
      // dataset_file takes the data buffers (load_dataset frees them on failure).
      this.x.dataset_file(0, imagesData.ptr, imagesData.size, imagesName);
      this.x.dataset_file(1, labelsData.ptr, labelsData.size, labelsName);
      this.x.mem_free(imagesName);
      this.x.mem_free(labelsName);
      this.check(this.x.load_dataset(which));
      return { count: this.count(set) };
    }

    count(set) { return Number(this.x.dataset_count(setIndex(set))); }

    /** A copy of image `index` of a set (784 bytes) and its label. */
    image(set, index) {
      const which = setIndex(set), pixels = this.rules.pixels;
      const ptr = this.x.dataset_pixels(which) + index * pixels;
      return { pixels: this.bytes().slice(ptr, ptr + pixels), label: this.bytes()[this.x.dataset_labels(which) + index] };
    }

    /** Every label of a set (a copy). */
    labels(set) {
      const ptr = this.x.dataset_labels(setIndex(set));
      return this.bytes().slice(ptr, ptr + this.count(set));
    }

    // ---- network, its settings by name (the module's config_* exports; keys and kinds from rules.settings) ----
    /** A fresh network from a config (keys: configKeys; one left out keeps the default preset's
     *  value, other keys are ignored), checked by the core. */
    init(config) {
      this.check(this.call(this.x.config_begin, ['default']));
      for (const key of this.configKeys) if (key in config) this.stageSetting(key, config[key]);
      this.check(this.x.config_create());
      const now = this.netConfig();
      this.hyper = pick(now, this.hyperKeys);
      return { arch: this.arch(), archText: this.archText(), parameters: this.paramCount(), config: now };
    }

    /** Changes some of the hyperparameters (hyperKeys: any other key is refused by the core,
     *  naming it); returns all of them as now in force. */
    setHyper(partial) {
      this.check(this.call(this.x.config_begin, ['']));
      for (const [key, value] of Object.entries(partial)) this.stageSetting(key, value);
      this.check(this.x.config_apply());
      this.hyper = pick(this.netConfig(), this.hyperKeys);
      return { ...this.hyper };
    }

    /** Stages one setting in the module: a number, or a text for a choice or an architecture.
     *  WebAssembly would turn a string, a boolean or a missing value silently into a number, so
     *  the kind is checked here; the core checks the value (and names an unknown key). */
    stageSetting(key, value) {
      const setting = this.settings.get(key);
      if (value === undefined) throw failure(`${key} is missing`, key);
      if (setting && setting.kind === 'arch') value = archText(value);
      const text = setting ? setting.kind === 'choice' || setting.kind === 'arch' : typeof value === 'string';
      if (typeof value !== (text ? 'string' : 'number')) {
        throw failure(`${key} must be a ${text ? 'name' : 'number'}, not ${JSON.stringify(value)}`, key);
      }
      if (!text) return this.check(this.call(this.x.config_number, [key, value]));
      const encoded = new TextEncoder().encode(value), ptr = this.copyIn(encoded);
      try {
        this.check(this.call(this.x.config_text, [key, ptr, encoded.length]));
      } finally {
        this.x.mem_free(ptr);
      }
    }

    /** The network's configuration as the core has it (every setting; a loaded model's: how it
     *  was trained), or null when there is none. */
    netConfig() {
      const text = this.string(this.x.config_json(0));
      return text ? JSON.parse(text) : null;
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

    /** The values each layer outputs per sample, 784 first (a convolution's or pool's: H×W×C). */
    arch() {
      const n = this.x.layers();
      return Array.from(new Int32Array(this.memory.buffer, this.x.sizes(), n + 1));
    }

    /** The architecture in the core's grammar, '784-c16k3-p2-64-10'. */
    archText() { return this.string(this.x.arch()); }

    paramCount() { return Number(this.x.param_count()); }

    /** A copy of all parameters (the layout of mnist_params in src/mnist.h). */
    getParams() { return new Float32Array(this.memory.buffer, this.x.params(), this.paramCount()).slice(); }

    setParams(values) {
      const n = this.paramCount();
      if (values.length !== n) throw failure(`expected ${n} parameters, got ${values.length}`);
      new Float32Array(this.memory.buffer, this.x.params(), n).set(values);
    }

    // ---- training and evaluation ------------------------------------------------------
    progress() { return this.named(this.x.progress(), this.progressFields); }

    /** Trains on at most maxSamples samples; returns the core's progress. Each
     *  slice is timed, for the choice between one thread and all of them. */
    step(maxSamples) {
      const threads = this.threads, before = this.progress().samples, t0 = now();
      this.check(this.x.step(maxSamples));
      const p = this.progress();
      if (this.threadChoice) {
        this.threadChoice.record(threads, p.samples - before, now() - t0);
        const next = this.threadChoice.next(threads, this.maxThreads);
        if (next) this.useThreads(next);
      }
      return p;
    }

    /** Adds images first..first+count-1 of a set to the core's running totals
     *  (reset: start them over) and returns the totals: accuracy, mean loss,
     *  confusion matrix (rows: true label). */
    evaluate(set, first = 0, count = this.count(set), { reset = true } = {}) {
      this.check(this.x.evaluate(setIndex(set), first, count, reset ? 1 : 0));
      const e = this.named(this.x.evaluation(), this.evaluationFields);
      const classes = this.rules.classes;
      const counts = new Int32Array(this.memory.buffer, this.x.evaluation_confusion(), classes * classes);
      const confusion = Array.from({ length: classes }, (_, i) => Array.from(counts.subarray(i * classes, (i + 1) * classes)));
      return { count: e.count, correct: e.correct, accuracy: e.correct / e.count, loss: e.lossSum / e.count, confusion };
    }

    /** The outcome of the prediction just made: class, probabilities, every layer's outputs. */
    prediction(predicted) {
      if (predicted < 0) throw this.coreError();
      const probabilities = Array.from(new Float32Array(this.memory.buffer, this.x.probabilities(), this.rules.classes));
      const arch = this.arch(), activations = [];
      for (let l = 1; l < arch.length; l++) {
        activations.push(Array.from(new Float32Array(this.memory.buffer, this.x.activations(l), arch[l])));
      }
      // layers: each activation's shape (kind, h, w, c, size), as the core describes them
      return { predicted, probabilities, confidence: probabilities[predicted], activations, layers: this.netLayers().slice(1) };
    }

    /** image: 784 floats in 0..1, row by row. */
    predict(image) {
      const pixels = this.rules.pixels;
      if (!image || image.length !== pixels) throw failure(`an image is ${pixels} values (28x28)`);
      const ptr = this.copyIn(new Uint8Array(Float32Array.from(image).buffer));
      const predicted = this.x.predict(ptr);
      this.x.mem_free(ptr);
      return this.prediction(predicted);
    }

    predictIndex(set, index) {
      const result = this.prediction(this.x.predict_index(setIndex(set), index));
      const image = this.image(set, index);
      return { ...result, label: image.label, pixels: image.pixels };
    }

    /** Predicted class and its probability for images first..first+count-1 of a set (all by default). */
    classify(set, first = 0, n = this.count(set)) {
      const out = this.x.mem_alloc(5 * n); // n probabilities (floats), then n classes (bytes)
      try {
        this.check(this.x.classify(setIndex(set), first, n, out));
        return {
          predicted: this.bytes().slice(out + 4 * n, out + 5 * n),
          confidence: new Float32Array(this.memory.buffer, out, n).slice(),
        };
      } finally {
        this.x.mem_free(out);
      }
    }

    /** An architecture (text or list of widths) described by the core (mnist_arch_describe in
     *  src/mnist.h): {ok, tokens, layers: [{kind, h, w, c, size, params, ...}], params} or
     *  {ok: false, tokens, layers (those before the fault), at, message}. */
    describeArch(arch) {
      return JSON.parse(this.string(this.call(this.x.describe_arch, [archText(arch)])));
    }

    /** The network in place described by the core (describeArch's layers, the input first);
     *  kept while its architecture stays. */
    netLayers() {
      const text = this.archText();
      if (!this.described || this.described.text !== text) this.described = { text, layers: this.describeArch(text).layers };
      return this.described.layers;
    }

    /** A copy of the first weight layer's weights, as images of what it reads: a dense layer's
     *  units (units 0..units-1, an input-sized image each: 28×28, or a pool's output), or a
     *  convolution's filters (K×K each; the first weight layer reads one channel).
     *  -> {kind: 'dense'|'conv', units, h, w, values: Float32Array(units × h × w)} */
    firstLayerWeights(units) {
      const layers = this.netLayers();
      const k = layers.findIndex((ly) => ly.params > 0);
      const ly = layers[k], input = layers[k - 1];
      const conv = ly.kind === 'conv';
      const h = conv ? ly.kernel : input.h || 1, w = conv ? ly.kernel : input.w || input.size;
      const n = Math.max(0, Math.min(units, conv ? ly.filters : ly.size));
      const values = new Float32Array(this.memory.buffer, this.x.params(), n * h * w).slice();
      return { kind: conv ? 'conv' : 'dense', units: n, h, w, values };
    }

    // ---- teaching -----------------------------------------------------------------------------
    /** Teaches the network that image (784 floats in 0..1, a drawing) is label, mixing in
     *  training images (mnist_teach): the drawing's new prediction (as predict(), with its layers), the steps
     *  taken and the number of taught examples the network keeps. */
    teach(image, label) {
      const pixels = this.rules.pixels;
      if (!image || image.length !== pixels) throw failure(`a drawing is ${pixels} values (28x28)`, 'pixels');
      if (!Number.isInteger(label)) throw failure(`the label to teach must be a class from 0 to 9, got ${JSON.stringify(label)}`, 'label');
      const ptr = this.copyIn(new Uint8Array(Float32Array.from(image).buffer));
      const predicted = this.x.teach(ptr, label);
      this.x.mem_free(ptr);
      return { ...this.prediction(predicted), steps: this.x.teach_steps(), taught: this.taughtCount() };
    }

    /** How many taught examples the network keeps. */
    taughtCount() { return this.x.taught_count(); }

    /** The taught examples, oldest first: [{ label, pixels: Uint8Array(784) }]. */
    taught() {
      const pixels = this.rules.pixels;
      return Array.from({ length: this.x.taught_count() }, (_, i) => {
        const ptr = this.x.taught_pixels(i);
        return { label: this.x.taught_label(i), pixels: this.bytes().slice(ptr, ptr + pixels) };
      });
    }

    /** Forgets the taught examples (the weights keep what they learnt). */
    clearTaught() { this.x.taught_clear(); }

    // ---- model files ------------------------------------------------------------------------
    saveModel() {
      const size = Number(this.x.model_size());
      const ptr = this.x.mem_alloc(size);
      try {
        this.check(this.x.model_save(ptr, size));
        return this.bytes().slice(ptr, ptr + size);
      } finally {
        this.x.mem_free(ptr);
      }
    }

    /** Replaces the network by a saved model, with the configuration it was trained with
     *  (config; a file of an earlier format carries none: the hyperparameters in force stay). */
    loadModel(bytes) {
      const ptr = this.copyIn(bytes);
      const status = this.x.model_load(ptr, bytes.byteLength);
      this.x.mem_free(ptr);
      this.check(status);
      const config = this.netConfig();
      this.hyper = pick(config, this.hyperKeys);
      return { arch: this.arch(), archText: this.archText(), parameters: this.paramCount(), config };
    }
  }

  root.MnistEngine = MnistEngine;
  if (typeof module === 'object' && module.exports) module.exports = MnistEngine;
})(typeof self !== 'undefined' ? self : globalThis);
