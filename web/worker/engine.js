/* engine.js - the C core's WebAssembly module as a JavaScript object: the network, its
 * training, evaluation, predictions, teaching and model files, by the names the module
 * gives them. Used by the worker (session.js) and, as an ES module, by the Node tests and
 * the benchmark. The instance and its memory are engine-wasm.js's, the settings
 * engine-settings.js's, the datasets engine-data.js's. Every method throws an Error with
 * the core's message, and error.field naming the rejected setting ('lr', 'batch',
 * 'arch', ...; null if none), when the core refuses.
 *
 *   import { MnistEngine } from './engine.js';
 *   const engine = await MnistEngine.create(wasmBytes, { threads, threadedWasm, onThreadError, probeThreads });
 *   engine.rules.presets.default            // the core's presets and limits
 *   engine.loadSet('train', images, labels, { images: 'train-images…', labels: '…' });   // IDX bytes, gzipped or not
 *   engine.init({ arch: '784-128-10', init: 'he', seed: 1, batch: 64, lr: 0.1, momentum: 0.9,
 *                 weightDecay: 0, lrDecay: 0.3, epochs: 5, iterations: 0, optimizer: 'sgd',
 *                 schedule: 'step', beta1: 0.9, beta2: 0.999, eps: 1e-8, shift: 0, rotate: 0, scale: 0 });
 *   // (the keys: engine.rules.settings; one left out keeps the default preset's value, any
 *   // other is refused, naming it)
 *   // or any preset as it stands: engine.init(engine.rules.presets.cnn)
 *   const progress = engine.step(4096);     // one slice: call again and again
 *   const result = engine.evaluate('test');  // { count, correct, accuracy, loss, confusion }
 *   engine.evaluate('test', 0, n, { images: true }); engine.evaluatedImages('test')  // {predicted, confidence}
 *   engine.saveModel(), engine.loadModel(bytes)   // the core's model files
 *   engine.exportOnnx({ testAccuracy })      // the network as an ONNX file (Uint8Array)
 */

import { ThreadChoice } from './engine-threads.js';
import { WasmModule, failure } from './engine-wasm.js';
import * as Settings from './engine-settings.js';
import * as Data from './engine-data.js';

const now = () => performance.now();

export class MnistEngine extends WasmModule {
  /** (MnistEngine.create: engine-wasm.js.) step() keeps choosing between 1 and all threads,
   *  whichever trains faster (options.probeThreads: false keeps all of them, for measurements). */
  constructor(exports, memory, options = {}) {
    super(exports, memory);
    this.progressFields = this.string(this.x.progress_fields()).split(' ');
    this.evaluationFields = this.string(this.x.evaluation_fields()).split(' ');
    Object.assign(this, Settings.settingKeys(this.rules)); // settings, hyperKeys, presetWords
    this.hyper = null;     // the hyperparameters in force (null: no network yet)
    this.described = null; // the cache of netLayers(): {text, layers}
    this.threadChoice = options.probeThreads === false ? null : new ThreadChoice();
    this.imageBuffers = {}; // set -> {n, ptr}: evaluate()'s per-image results (imageBuffer)
  }

  // ---- data (engine-data.js) ----------------------------------------------------------------
  loadSet(set, images, labels, names = {}) { return Data.loadSet(this, set, images, labels, names); }
  checkSet(set, images, labels, names = {}) { Data.checkSet(this, set, images, labels, names); }
  count(set) { return Data.count(this, set); }
  image(set, index) { return Data.image(this, set, index); }
  labels(set) { return Data.labels(this, set); }

  // ---- settings (engine-settings.js) --------------------------------------------------------
  /** A fresh network from a config (keys: the table's; one left out keeps the default
   *  preset's value, another key is refused), checked by the core; config: the network's as
   *  the core has it. */
  init(config) {
    const applied = Settings.configure(this, config);
    return { arch: this.arch(), archText: this.archText(), parameters: this.paramCount(), config: applied };
  }

  /** Changes some of the hyperparameters (hyperKeys: the core refuses any other key, naming it);
   *  returns all of them as now in force. */
  setHyper(partial) { return Settings.changeHyper(this, partial); }

  // ---- network ----------------------------------------------------------------
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
   *  confusion matrix (rows: true label). images: each image's class and probability
   *  are kept too, from the same pass, for evaluatedImages(). */
  evaluate(set, first = 0, count = this.count(set), { reset = true, images = false } = {}) {
    const which = Data.setIndex(set);
    this.check(this.x.evaluate_images(which, images ? this.imageBuffer(set) : 0));
    this.check(this.x.evaluate(which, first, count, reset ? 1 : 0));
    const e = this.named(this.x.evaluation(), this.evaluationFields);
    const classes = this.rules.classes;
    const counts = new Int32Array(this.memory.buffer, this.x.evaluation_confusion(), classes * classes);
    const confusion = Array.from({ length: classes }, (_, i) => Array.from(counts.subarray(i * classes, (i + 1) * classes)));
    return { count: e.count, correct: e.correct, accuracy: e.correct / e.count, loss: e.lossSum / e.count, confusion };
  }

  /** The module's buffer for a set's per-image results (classify's layout: n probabilities,
   *  then n classes), kept while the set keeps its size. */
  imageBuffer(set) {
    const n = this.count(set), kept = this.imageBuffers[set];
    if (kept && kept.n === n) return kept.ptr;
    if (kept) this.x.mem_free(kept.ptr);
    const ptr = this.x.mem_alloc(5 * n);
    if (!ptr) throw failure(`out of WebAssembly memory for ${5 * n} bytes`);
    this.bytes().fill(0, ptr, ptr + 5 * n);
    this.imageBuffers[set] = { n, ptr };
    return ptr;
  }

  /** Copies of each image's class and probability, as the evaluations with `images` left them
   *  (images never evaluated so: class 0, probability 0). -> {predicted, confidence} */
  evaluatedImages(set) {
    const n = this.count(set), ptr = this.imageBuffer(set);
    return { predicted: this.bytes().slice(ptr + 4 * n, ptr + 5 * n), confidence: new Float32Array(this.memory.buffer, ptr, n).slice() };
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
    const result = this.prediction(this.x.predict_index(Data.setIndex(set), index));
    const image = this.image(set, index);
    return { ...result, label: image.label, pixels: image.pixels };
  }

  /** Predicted class and its probability for images first..first+count-1 of a set (all by default). */
  classify(set, first = 0, n = this.count(set)) {
    const out = this.x.mem_alloc(5 * n); // n probabilities (floats), then n classes (bytes)
    try {
      this.check(this.x.classify(Data.setIndex(set), first, n, out));
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
    const text = Settings.archText(arch);
    // (the module reads a NUL-terminated text: one inside it would cut it short)
    if (text.includes('\u0000')) throw failure('architecture: the text holds a NUL byte', 'arch');
    return JSON.parse(this.string(this.call(this.x.describe_arch, [text])));
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

  /** The network as an ONNX file (src/core/onnx.c, docs/onnx.md): the same bytes as the CLI's
   *  `export --onnx` of the same model. meta.testAccuracy: its test accuracy (0..1) for the
   *  file's metadata; null or left out: unknown (none written). */
  exportOnnx(meta = {}) {
    const accuracy = meta.testAccuracy ?? null;
    if (accuracy !== null && !(typeof accuracy === 'number' && accuracy >= 0 && accuracy <= 1)) {
      throw failure(`the test accuracy of an ONNX export must be a fraction from 0 to 1 or null, not ${JSON.stringify(accuracy)}`);
    }
    const arg = accuracy === null ? -1 : accuracy;
    const size = Number(this.x.onnx_size(arg));
    const ptr = size ? this.x.mem_alloc(size) : 0;
    if (size && !ptr) throw failure(`out of WebAssembly memory for an ONNX file of ${size} bytes`);
    try {
      this.check(this.x.onnx_save(ptr, size, arg));
      return this.bytes().slice(ptr, ptr + size);
    } finally {
      if (ptr) this.x.mem_free(ptr);
    }
  }

  /** Replaces the network by a saved model, with the configuration it was trained with
   *  (config; a file of an earlier format carries none: the hyperparameters in force stay). */
  loadModel(bytes) {
    const max = this.rules.maxFileBytes; // (refused before any copy: the module's memory never shrinks)
    if (bytes.byteLength > max) throw failure(`model: a file of ${bytes.byteLength} bytes is larger than any model (at most ${max})`);
    const ptr = this.copyIn(bytes);
    const status = this.x.model_load(ptr, bytes.byteLength);
    this.x.mem_free(ptr);
    this.check(status);
    const config = Settings.adoptLoaded(this);
    return { arch: this.arch(), archText: this.archText(), parameters: this.paramCount(), config };
  }
}
