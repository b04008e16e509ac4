/* protocol.js - the contract between the page and its worker (web/PROTOCOL.md says what
 * each message means; a test proves that its tables list exactly what is here): every
 * request with its fields, their kinds and ranges, which it needs, the stage its errors
 * report and the reply types that answer it; every message the worker sends, with its
 * fields; and which of them carry the run id (`run`) of the network they concern.
 * The worker checks each message against it before anything acts on it, so a malformed
 * one changes nothing and gets one `error` naming the type or the field at fault.
 *
 *   VERSION                  the protocol's version (`ready.version`)
 *   REQUESTS[type]           { stage, fields: {name: check(value) -> null | what it should be},
 *                              needs: [names], replies: [types], waits, check(message) }
 *                            waits: it waits for the passes over the test set underway
 *   REQUEST_TYPES            Object.keys(REQUESTS), in PROTOCOL.md's order
 *   WAITING                  the request types that wait (REQUESTS[type].waits)
 *   REPLIES[type]            { fields: [names], run: whether it carries `run` }: every
 *                            message the worker sends (the answers and the reports)
 *   REPLY_TYPES              Object.keys(REPLIES)
 *   RUN_TAGGED               the reply types that always carry `run`; besides them, an
 *                            `error` of stage 'train' once the worker has an engine (carriesRun)
 *   STAGES                   the stages an `error` can report ('protocol': not a request)
 *   REQUEST_ID               'req': the field any request may carry (a whole number the page
 *                            chooses); the reply that answers it and any `error` it gets echo it
 *   ANSWERS                  the message types that answer a request (and so may carry `req`)
 *   checkRequest(message, rules)  the type of a well-formed request; else throws an Error with
 *                            error.field (the field at fault, or null) and error.request
 *                            (the type when it is a known one, else null). rules: the core's
 *                            (`ready.rules`; optional): then the settings in `config` and `hyper`
 *                            are checked by its table's keys and kinds, and texts and files
 *                            against its caps (maxText, maxFileBytes) before any is copied in
 *   stageOf(type)            the stage of a request's errors ('protocol' for an unknown type)
 *   replyTypesOf(type)       the reply types that answer a request (else one `error`)
 *   carriesRun(message)      whether a message from the worker carries `run`
 *   answer(request, message) message, carrying the request's `req` (if any): its reply
 *   errorMessage(request, error, run)  the `error` reply to a request (a message, its type, or null)
 *
 * What the fields mean, and the settings inside `config` and `hyper` (checked by the
 * core), are the session's and the engine's business; here: their kinds and ranges. */

export const VERSION = 1;

const PIXELS = 784;             // a drawing: 28×28 values in 0..1 (the core's rules.pixels)
const CLASSES = 10;
const MAX_ID = 200;             // characters of a request's id or a file name
const MAX_ARCH = 1000;          // characters (or widths) of an architecture to describe
const MAX_RUN = 2 ** 31 - 1;
const MAX_GALLERY = 1000;       // images in a mistakes or cell reply (the worker shows at most this many)
const MAX_UNITS = 4096;         // units or filters of a weights reply
const MAX_THREADS_ASKED = 1024; // more than any machine: the engine caps it by the cores
export const REQUEST_ID = 'req';

export const STAGES = ['init', 'data', 'config', 'train', 'model', 'inspect', 'teach', 'protocol'];

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
// a text reaches the core as bytes: a control character or a NUL in it is refused here
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const clean = (v) => typeof v === 'string' && !CONTROL.test(v);
const NO_CONTROL = 'without control characters';
const text = (max) => (v) => (clean(v) && v.length <= max ? null : `a text of at most ${max} characters, ${NO_CONTROL}`);
const boolean = (v) => (typeof v === 'boolean' ? null : 'true or false');
const id = (v) => ((typeof v === 'number' && Number.isFinite(v)) || (clean(v) && v.length <= MAX_ID) ? null
  : `a number or a text of at most ${MAX_ID} characters, ${NO_CONTROL}`);
// {key: value}, made by an object literal or JSON (not a Date, Map, buffer, list or class
// instance); by its prototype's shape, since a message's objects come from another realm
const isPlain = (v) => {
  if (v === null || typeof v !== 'object' || Object.prototype.toString.call(v) !== '[object Object]') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || (Object.getPrototypeOf(proto) === null && typeof proto.hasOwnProperty === 'function');
};
const plainObject = (v) => (isPlain(v) ? null : 'a plain object {key: value, ...}');
// file contents: an ArrayBuffer (transferred); a file's at most the core's maxFileBytes
const bytes = (v) => (v instanceof ArrayBuffer ? null : 'an ArrayBuffer of the file\'s bytes');
const file = (v, rules) => bytes(v) || (rules && v.byteLength > rules.maxFileBytes
  ? `an ArrayBuffer of at most ${rules.maxFileBytes} bytes (the core's maxFileBytes)` : null);
const port = (v) => (v !== null && typeof v === 'object' && typeof v.postMessage === 'function' ? null : 'a MessagePort');
const names = (v) => (!isPlain(v) || Object.keys(v).some((k) => !['images', 'labels'].includes(k) || text(MAX_ID)(v[k]))
  ? `{images, labels}: the files' names, texts of at most ${MAX_ID} characters` : null);
// a drawing: 784 finite values in 0..1 (a Float32Array as the page sends it, or a list)
const drawing = (v) => {
  const kind = `${PIXELS} values from 0 to 1 (a Float32Array or a list)`;
  if (!(v instanceof Float32Array || v instanceof Float64Array || Array.isArray(v)) || v.length !== PIXELS) return kind;
  for (let i = 0; i < PIXELS; i++) if (!(typeof v[i] === 'number' && v[i] >= 0 && v[i] <= 1)) return kind;
  return null;
};
const widths = (v, max) => Array.isArray(v) && v.length <= max && v.every((w) => Number.isInteger(w));
const architecture = (v) => ((clean(v) && v.length <= MAX_ARCH) || widths(v, MAX_ARCH)
  ? null : `a text of at most ${MAX_ARCH} characters (${NO_CONTROL}) or a list of whole numbers`);
const run = integer(0, MAX_RUN);
const order = oneOf('most', 'least');
const gallery = { limit: integer(0, MAX_GALLERY), order };
const requestId = integer(0, MAX_RUN);

/* ---- the settings of a configure (`config`) or set-hyper (`hyper`) ----
 * By the core's table (rules.settings): a key it lists (set-hyper: one of rules.hyper; configure
 * also a preset's own words, which are passed over), a number for a number, a text for a choice,
 * a text or a list of widths for the architecture; a text at most rules.maxText bytes. The
 * values themselves are the core's to check. Without rules: only the kinds. */
const textBytes = (v) => new TextEncoder().encode(v).length;
function settingWanted(row, value, rules) {
  const max = rules ? rules.maxText : Infinity;
  const shortText = (v) => clean(v) && v.length <= max && textBytes(v) <= max;
  const textKind = `a text of at most ${max} bytes, ${NO_CONTROL}`;
  if (!row) { // a preset's own word (passed over), or a key nothing can check without rules
    return typeof value === 'number' || clean(value) || widths(value, MAX_ARCH) ? null : `a number or a text, ${NO_CONTROL}`;
  }
  if (row.kind === 'choice') return shortText(value) ? null : textKind;
  if (row.kind === 'arch') {
    return shortText(value) || (widths(value, max) && shortText(value.join('-'))) ? null
      : `${textKind}, or a list of whole numbers`;
  }
  return typeof value === 'number' && Number.isFinite(value) ? null : 'a number';
}

const settingsCheck = (field) => (m, rules) => {
  const settings = m[field];
  if (settings === undefined) return null;
  const type = m.type;
  const rows = rules ? new Map(rules.settings.map((row) => [row.key, row])) : null;
  const presetWords = rules ? Object.keys(Object.values(rules.presets)[0] || {}).filter((k) => !rows.has(k)) : [];
  for (const key of Object.keys(settings)) {
    const row = rows && rows.get(key);
    if (rows && !(field === 'hyper' ? rules.hyper.includes(key) || row : row || presetWords.includes(key))) {
      return failure(`${type}: unknown setting ${show(key)} (the core's are rules.settings)`, key); // (the core's words)
    }
    const wanted = settingWanted(row, settings[key], rules);
    if (wanted) return failure(`${type}: \`${field}.${key}\` must be ${wanted}, not ${show(settings[key])}`, key);
  }
  return null;
};

/** A request's entry: fields and needs default to none, waits to false. */
const request = (stage, replies, more = {}) => ({ stage, replies, fields: {}, needs: [], waits: false, check: null, ...more });

// In PROTOCOL.md's order ("Page → worker").
export const REQUESTS = {
  init: request('init', ['ready'], {
    fields: { wasm: bytes, wasmThreads: bytes, threads: integer(1, MAX_THREADS_ASKED), tester: port, role: oneOf('tester'), port },
    needs: ['wasm'],
    check: (m) => (m.role === 'tester' && m.port === undefined ? failure('a tester needs its `port`', 'port') : null),
  }),
  load: request('data', ['loaded'], { fields: { set: oneOf('train', 'test'), images: file, labels: file, names, check: boolean }, needs: ['set', 'images', 'labels'] }),
  configure: request('config', ['configured'], { fields: { config: plainObject, run }, needs: ['config'], check: settingsCheck('config') }),
  // already training: start's answer is its progress
  start: request('train', ['progress'], { waits: true }),
  // not training: pause's answer is the progress as it stands
  pause: request('train', ['paused', 'progress']),
  resume: request('train', ['progress'], { waits: true }),
  step: request('train', ['paused', 'done'], { waits: true }),
  reset: request('config', ['configured'], { fields: { run } }),
  'set-hyper': request('config', ['hyper'], { fields: { hyper: plainObject }, needs: ['hyper'], check: settingsCheck('hyper') }),
  predict: request('inspect', ['prediction'], {
    fields: { id, pixels: drawing, index: integer(0, MAX_RUN) },
    check: (m) => ((m.pixels === undefined) === (m.index === undefined)
      ? failure(`predict needs either \`pixels\` (a drawing) or \`index\` (a test image)${m.pixels === undefined ? '' : ', not both'}`,
        m.pixels === undefined ? 'index' : 'pixels') : null),
  }),
  evaluate: request('train', ['evaluation'], { waits: true }),
  mistakes: request('inspect', ['mistakes'], { fields: gallery, waits: true }),
  cell: request('inspect', ['cell'], {
    fields: { label: integer(0, CLASSES - 1), predicted: integer(0, CLASSES - 1), ...gallery }, needs: ['label', 'predicted'], waits: true,
  }),
  weights: request('inspect', ['weights'], { fields: { units: integer(1, MAX_UNITS) } }),
  'describe-arch': request('inspect', ['arch-description'], { fields: { id, arch: architecture }, needs: ['arch'] }),
  'save-model': request('model', ['model']),
  'load-model': request('model', ['configured'], { fields: { bytes: file, run }, needs: ['bytes'] }),
  'export-onnx': request('model', ['onnx']),
  teach: request('teach', ['taught'], { fields: { id, pixels: drawing, label: integer(0, CLASSES - 1) }, needs: ['pixels', 'label'], waits: true }),
  'taught-examples': request('teach', ['taught-examples'], { fields: { forget: boolean } }),
};
export const REQUEST_TYPES = Object.keys(REQUESTS);
export const WAITING = REQUEST_TYPES.filter((type) => REQUESTS[type].waits);

const reply = (fields, carriesRunId = true) => ({ fields, run: carriesRunId });
const PREDICTION = ['probabilities', 'predicted', 'activations', 'layers'];
const GALLERY = ['order', 'total', 'items', 'images'];

// In PROTOCOL.md's order ("Worker → page").
export const REPLIES = {
  ready: reply(['simd', 'version', 'threads', 'threadError', 'rules', 'role'], false),
  loaded: reply(['set', 'count', 'checked'], false),
  configured: reply(['arch', 'archText', 'parameters', 'config', 'loaded']),
  hyper: reply(['hyper']),
  progress: reply(['state', 'epoch', 'epochProgress', 'epochs', 'iterations', 'samples', 'samplesPerSecond', 'loss',
    'trainAccuracy', 'batchLoss', 'lr', 'iterationsTarget', 'elapsed', 'eta', 'threads']),
  evaluation: reply(['testAccuracy', 'testLoss', 'confusion', 'samples', 'epochFloat', 'elapsed', 'background', 'seconds', 'reached']),
  predictions: reply(['indices', 'images', 'labels', 'predicted', 'confidence']),
  'epoch-end': reply(['epoch', 'trainLoss', 'trainAccuracy', 'testAccuracy', 'testLoss']),
  done: reply(['reason', 'testAccuracy', 'elapsed', 'target', 'reached', 'tests', 'testSeconds', 'trainSeconds']),
  paused: reply([]),
  prediction: reply(['id', ...PREDICTION, 'label', 'image']),
  mistakes: reply(GALLERY),
  cell: reply(['label', 'predicted', ...GALLERY]),
  weights: reply(['kind', 'units', 'h', 'w', 'values']),
  // about a text, not the network in place
  'arch-description': reply(['id', 'arch', 'ok', 'tokens', 'layers', 'params', 'at', 'message'], false),
  model: reply(['bytes', 'arch', 'archText', 'testAccuracy', 'taught']),
  onnx: reply(['bytes', 'archText', 'testAccuracy']),
  taught: reply(['id', 'label', 'steps', 'taught', ...PREDICTION]),
  'taught-examples': reply(['count', 'labels', 'images']),
  testing: reply(['kind', 'reason', 'done', 'total']),
  diverged: reply(['lr', 'iteration', 'message']),
  // carries `run` with stage 'train' only (carriesRun), once init has made the engine
  error: reply(['stage', 'request', 'field', 'message'], false),
};
export const REPLY_TYPES = Object.keys(REPLIES);
export const RUN_TAGGED = REPLY_TYPES.filter((type) => REPLIES[type].run);
export const ANSWERS = REPLY_TYPES.filter((type) => type === 'error' || REQUEST_TYPES.some((r) => REQUESTS[r].replies.includes(type)));

const known = (type) => typeof type === 'string' && Object.prototype.hasOwnProperty.call(REQUESTS, type);

/** The type of a well-formed request; throws an Error naming what is wrong otherwise.
 *  rules: the core's (ready.rules), for the settings' keys and kinds and the caps. */
export function checkRequest(message, rules = null) {
  if (message === null || typeof message !== 'object' || Array.isArray(message)) {
    throw failure(`a request is an object with a \`type\`, not ${show(message)}`);
  }
  const type = message.type;
  if (!known(type)) {
    throw failure(typeof type === 'string' ? `unknown request type ${show(type)}` : `a request's \`type\` is a text, not ${show(type)}`, 'type');
  }
  const spec = REQUESTS[type], fields = spec.fields;
  for (const key of Object.keys(message)) {
    if (key === 'type') continue;
    const own = Object.prototype.hasOwnProperty.call(fields, key);
    if (!own && key !== REQUEST_ID) throw failure(`${type} has no field \`${key}\``, key, type);
    const value = message[key];
    if (value === undefined) continue;
    const wanted = (own ? fields[key] : requestId)(value, rules);
    if (wanted) throw failure(`${type}: \`${key}\` must be ${wanted}, not ${show(value)}`, key, type);
  }
  for (const key of spec.needs) {
    if (message[key] === undefined) throw failure(`${type} needs \`${key}\``, key, type);
  }
  const more = spec.check && spec.check(message, rules);
  if (more) throw Object.assign(more, { request: type });
  return type;
}

export const stageOf = (type) => (known(type) ? REQUESTS[type].stage : 'protocol');

export const replyTypesOf = (type) => (known(type) ? REQUESTS[type].replies.slice() : []);

export const carriesRun = (message) => REPLIES[message.type] !== undefined
  && (REPLIES[message.type].run || (message.type === 'error' && message.stage === 'train'));

/** message as the reply to `request` (a request message, or null): with its `req` if it has one. */
export function answer(request, message) {
  const req = request ? request[REQUEST_ID] : undefined;
  if (req !== undefined && requestId(req) === null) message[REQUEST_ID] = req; // (a malformed one is not echoed)
  return message;
}

/** The `error` reply to `request` (a request message, a known type, or null: not a request)
 *  that failed with `error`, echoing its `req`; `run`: the run id of the network in place,
 *  stamped on an error of stage 'train'. */
export function errorMessage(request, error, runId) {
  const type = request && typeof request === 'object' ? request.type : request;
  const stage = stageOf(type);
  const message = { type: 'error', stage, request: known(type) ? type : null, field: (error && error.field) || null,
    message: error && error.message ? error.message : String(error) };
  if (stage === 'train' && runId !== undefined) message.run = runId;
  return answer(request && typeof request === 'object' ? request : null, message);
}
