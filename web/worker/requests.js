/* requests.js - what a message to the worker may hold: the one table of the requests of
 * web/PROTOCOL.md ("Page → worker"), each with its fields, which of them it needs, and
 * the stage its errors report. transport.js checks every message against it before
 * anything acts on it, so a malformed message changes nothing and gets one `error`
 * naming the type or the field at fault.
 *
 *   const type = MnistRequests.check(message); // the request's type, or throws an Error
 *                    // (error.field: the field at fault, error.request: the known type, or null)
 *   MnistRequests.stage(type)                  // the stage of its errors ('protocol' if unknown)
 *
 * What the fields mean, and the settings inside `config` and `hyper` (checked by the
 * core), are the session's and the engine's business; here: their kinds and ranges. */
'use strict';

(function (root) {
  const PIXELS = 784;            // a drawing: 28×28 values in 0..1 (the core's rules.pixels)
  const CLASSES = 10;
  const MAX_ID = 200;            // characters of a request's id or a file name
  const MAX_ARCH = 1000;         // characters (or widths) of an architecture to describe
  const MAX_RUN = 2 ** 31 - 1;
  const MAX_GALLERY = 1000;      // images in a mistakes or cell reply (inspect.js shows at most this many)
  const MAX_UNITS = 4096;        // units or filters of a weights reply
  const MAX_THREADS_ASKED = 1024; // more than any machine: the engine caps it by the cores (engine-threads.js)

  /** An Error naming the field at fault and the request (a known type) it was for. */
  function failure(message, field = null, request = null) {
    return Object.assign(new Error(message), { field, request });
  }

  const show = (value) => {
    if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
    if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${value.length}`;
    if (value instanceof ArrayBuffer) return `an ArrayBuffer of ${value.byteLength} bytes`;
    return Array.isArray(value) ? `a list of ${value.length}` : `${/^[aeiou]/.test(typeof value) ? 'an' : 'a'} ${typeof value}`;
  };

  // ---- field kinds: each returns null when the value is fine, else what it should be ----
  const integer = (min, max) => (v) => (Number.isInteger(v) && v >= min && v <= max ? null
    : `a whole number from ${min} to ${max}`);
  const oneOf = (...names) => (v) => (names.includes(v) ? null : `one of ${names.map((n) => `'${n}'`).join(', ')}`);
  const text = (max) => (v) => (typeof v === 'string' && v.length <= max ? null : `a text of at most ${max} characters`);
  const boolean = (v) => (typeof v === 'boolean' ? null : 'true or false');
  const id = (v) => (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v.length <= MAX_ID) ? null
    : `a number or a text of at most ${MAX_ID} characters`;
  const plainObject = (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v)
    && !(v instanceof ArrayBuffer) ? null : 'an object');
  // file contents: an ArrayBuffer (transferred)
  const bytes = (v) => (v instanceof ArrayBuffer ? null : 'an ArrayBuffer of the file\'s bytes');
  const port = (v) => (v !== null && typeof v === 'object' && typeof v.postMessage === 'function' ? null : 'a MessagePort');
  const names = (v) => (plainObject(v) || Object.keys(v).some((k) => !['images', 'labels'].includes(k) || text(MAX_ID)(v[k]))
    ? `{images, labels}: the files' names, texts of at most ${MAX_ID} characters` : null);
  // a drawing: 784 finite values in 0..1 (a Float32Array as the page sends it, or a list)
  const drawing = (v) => {
    const kind = `${PIXELS} values from 0 to 1 (a Float32Array or a list)`;
    if (!(v instanceof Float32Array || v instanceof Float64Array || Array.isArray(v)) || v.length !== PIXELS) return kind;
    for (let i = 0; i < PIXELS; i++) if (!(typeof v[i] === 'number' && v[i] >= 0 && v[i] <= 1)) return kind;
    return null;
  };
  const architecture = (v) => (typeof v === 'string' && v.length <= MAX_ARCH)
    || (Array.isArray(v) && v.length <= MAX_ARCH && v.every((w) => Number.isInteger(w)))
    ? null : `a text of at most ${MAX_ARCH} characters or a list of whole numbers`;
  const run = integer(0, MAX_RUN);
  const order = oneOf('most', 'least');
  const gallery = { limit: integer(0, MAX_GALLERY), order };

  /* type: { stage, fields: {name: kind}, needs: [names that must be there], check(m): more } */
  const REQUESTS = {
    init: { stage: 'init', fields: { wasm: bytes, wasmThreads: bytes, threads: integer(1, MAX_THREADS_ASKED), tester: port, role: oneOf('tester'), port },
      needs: ['wasm'],
      check: (m) => (m.role === 'tester' && m.port === undefined ? failure('a tester needs its `port`', 'port') : null) },
    load: { stage: 'data', fields: { set: oneOf('train', 'test'), images: bytes, labels: bytes, names }, needs: ['set', 'images', 'labels'] },
    configure: { stage: 'config', fields: { config: plainObject, run }, needs: ['config'] },
    start: { stage: 'train' },
    resume: { stage: 'train' },
    pause: { stage: 'train' },
    step: { stage: 'train' },
    reset: { stage: 'config', fields: { run } },
    'set-hyper': { stage: 'config', fields: { hyper: plainObject }, needs: ['hyper'] },
    predict: { stage: 'inspect', fields: { id, pixels: drawing, index: integer(0, MAX_RUN) },
      check: (m) => ((m.pixels === undefined) === (m.index === undefined)
        ? failure(`predict needs either \`pixels\` (a drawing) or \`index\` (a test image)${m.pixels === undefined ? '' : ', not both'}`,
          m.pixels === undefined ? 'index' : 'pixels') : null) },
    mistakes: { stage: 'inspect', fields: gallery },
    cell: { stage: 'inspect', fields: { label: integer(0, CLASSES - 1), predicted: integer(0, CLASSES - 1), ...gallery }, needs: ['label', 'predicted'] },
    weights: { stage: 'inspect', fields: { units: integer(1, MAX_UNITS) } },
    'describe-arch': { stage: 'inspect', fields: { id, arch: architecture }, needs: ['arch'] },
    'save-model': { stage: 'model' },
    'load-model': { stage: 'model', fields: { bytes, run }, needs: ['bytes'] },
    evaluate: { stage: 'train' },
    teach: { stage: 'teach', fields: { id, pixels: drawing, label: integer(0, CLASSES - 1) }, needs: ['pixels', 'label'] },
    'taught-examples': { stage: 'teach', fields: { forget: boolean } },
  };
  const known = (type) => typeof type === 'string' && Object.prototype.hasOwnProperty.call(REQUESTS, type);

  /** The type of a well-formed request; throws an Error naming what is wrong otherwise. */
  function check(message) {
    if (message === null || typeof message !== 'object' || Array.isArray(message)) {
      throw failure(`a request is an object with a \`type\`, not ${show(message)}`);
    }
    const type = message.type;
    if (!known(type)) {
      throw failure(typeof type === 'string' ? `unknown request type ${show(type)}` : `a request's \`type\` is a text, not ${show(type)}`, 'type');
    }
    const spec = REQUESTS[type], fields = spec.fields || {};
    for (const key of Object.keys(message)) {
      if (key === 'type') continue;
      if (!Object.prototype.hasOwnProperty.call(fields, key)) throw failure(`${type} has no field \`${key}\``, key, type);
      const value = message[key];
      if (value === undefined) continue;
      const wanted = fields[key](value);
      if (wanted) throw failure(`${type}: \`${key}\` must be ${wanted}, not ${show(value)}`, key, type);
    }
    for (const key of spec.needs || []) {
      if (message[key] === undefined) throw failure(`${type} needs \`${key}\``, key, type);
    }
    const more = spec.check && spec.check(message);
    if (more) throw Object.assign(more, { request: type });
    return type;
  }

  const MnistRequests = {
    check,
    stage: (type) => (known(type) ? REQUESTS[type].stage : 'protocol'),
    types: Object.keys(REQUESTS),
  };
  root.MnistRequests = MnistRequests;
  if (typeof module === 'object' && module.exports) module.exports = MnistRequests;
})(typeof self !== 'undefined' ? self : globalThis);
