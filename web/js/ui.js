/* ui.js - the controls and the live display (everything that touches the DOM,
 * except the chart's canvas).
 *
 * Public: window.MnistUI = {
 *   PRESETS, fmt,
 *   el(tag, cls, text)          a new element
 *   drawDigit(canvas, bytes, offset)   one 28x28 image (bytes 0..255) onto a canvas
 *   className(k), classNames()  a class as words; the dataset's names (null: digits)
 *   init(handlers)              binds the controls; handlers: onTrain, onPause, onStep, onReset,
 *                               onDataset(id), onDataUrl(url), onFiles(fileList),
 *                               onHyper(partialHyper), onStructureChange(what)
 *   readConfig()                validates every field (inline messages) -> {ok, config, errors}
 *   readHyper(field)            validates one of lr/batch/momentum -> {ok, hyper}
 *   configKey(config)           a string that is equal for equal configs
 *   fillPreset(name)            fills the fields from a preset
 *   fieldError(field, message)  shows (or with no message clears) an inline error
 *   setState(state, opts)       loading|ready|training|paused|done|error; opts.recoverable, opts.busy
 *   setStatus(text, kind, opts) the #status live region; kind info|ok|error; opts.throttle
 *   setNote(text)               the note under the buttons
 *   dataProgress(info)          one file's progress while loading (from MnistData)
 *   clearDataProgress()
 *   setDataset(id, trainCount)  class names (Fashion-MNIST) and the training-set size
 *   setDatasetSelect(id)
 *   setFieldValue(field, text)  sets a field without acting on it (e.g. a loaded model's layers)
 *   setDataUrl(text), getDataUrl()
 *   showProgress(p), showEvaluation(e), showPredictions(m), showEpochEnd(e),
 *   showDone(d), showDiverged(d), showHyper(h), setTarget(epochs), clearResults(),
 *   setVersion(text), focusButton(id)
 * }
 */
(function () {
  'use strict';

  var PRESETS = {
    seed: {
      label: 'seed', hidden: [10], init: 'seed', seed: 1, batch: 60000, lr: 0.1, momentum: 0,
      weightDecay: 0, lrDecay: 1, epochs: 500,
      description: 'The original notebook: full-batch gradient descent, one update per epoch, ' +
        '500 updates. About 85% on MNIST, in a minute or so.'
    },
    'default': {
      label: 'default', hidden: [128], init: 'he', seed: 1, batch: 64, lr: 0.1, momentum: 0.9,
      weightDecay: 0, lrDecay: 0.3, epochs: 5,
      description: 'Mini-batch SGD with momentum. About 97.6% on MNIST in a few seconds.'
    },
    wide: {
      label: 'wide', hidden: [256, 128], init: 'he', seed: 1, batch: 128, lr: 0.05, momentum: 0.9,
      weightDecay: 0, lrDecay: 0.5, epochs: 8,
      description: 'Two hidden layers, more epochs: a bit more accurate, several times slower.'
    }
  };

  var FASHION_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt',
    'Sneaker', 'Bag', 'Ankle boot'];

  var FIELDS = ['arch', 'lr', 'momentum', 'batch', 'epochs', 'seed'];
  var MAX_HIDDEN_LAYERS = 7; // the core allows 8 weight layers
  var MAX_WIDTH = 4096;
  var MAX_BATCH = 1000000;
  var MAX_EPOCHS = 100000;
  var MAX_SEED = 4294967295; // the worker's limit (32 bits survive every JS number path)

  /* ---- formatting ----------------------------------------------------------------- */

  var intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

  var fmt = {
    int: function (n) {
      return typeof n === 'number' && isFinite(n) ? intFormat.format(Math.round(n)) : '—';
    },
    /** 0.97345 -> "97.35%" */
    percent: function (f, digits) {
      if (typeof f !== 'number' || !isFinite(f)) return '—';
      return (f * 100).toFixed(digits == null ? 2 : digits) + '%';
    },
    fixed: function (n, digits) {
      return typeof n === 'number' && isFinite(n) ? n.toFixed(digits) : '—';
    },
    /** up to 4 significant digits, no trailing zeros: 0.1, 0.027, 0.00243 */
    num: function (n) {
      if (typeof n !== 'number' || !isFinite(n)) return '—';
      if (n !== 0 && (Math.abs(n) < 1e-4 || Math.abs(n) >= 1e6)) return n.toExponential(2);
      return String(Number(n.toPrecision(4)));
    },
    /** seconds -> "4.1 s", "42 s", "3 min 05 s", "1 h 02 min" */
    duration: function (s) {
      if (typeof s !== 'number' || !isFinite(s) || s < 0) return '—';
      if (s < 10) return s.toFixed(1) + ' s';
      if (s < 60) return Math.round(s) + ' s';
      var m = Math.floor(s / 60), sec = Math.round(s - m * 60);
      if (sec === 60) { m += 1; sec = 0; }
      if (m < 60) return m + ' min ' + (sec < 10 ? '0' : '') + sec + ' s';
      var h = Math.floor(m / 60), mm = m - h * 60;
      return h + ' h ' + (mm < 10 ? '0' : '') + mm + ' min';
    },
    /** a pair of byte counts in one unit: "4.1 / 9.9 MB", "12.0 / 28.2 KB" */
    bytesPair: function (a, b) {
      var big = Math.max(a || 0, b || 0);
      var unit = big >= 1e6 ? 'MB' : 'KB';
      var div = unit === 'MB' ? 1e6 : 1e3;
      var f = function (x) { return (x / div).toFixed(1); };
      return b ? f(a) + ' / ' + f(b) + ' ' + unit : f(a) + ' ' + unit;
    },
    bytes: function (a) {
      return a >= 1e6 ? (a / 1e6).toFixed(1) + ' MB' : (a / 1e3).toFixed(1) + ' KB';
    }
  };

  /* ---- small DOM helpers -------------------------------------------------------------- */

  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function setText(id, text) {
    var e = typeof id === 'string' ? $(id) : id;
    if (e && e.textContent !== text) e.textContent = text;
  }

  /* ---- state -------------------------------------------------------------------------- */

  var handlers = {};
  var state = 'loading';
  var trainCount = 60000;
  var classNames = null;
  var basePreset = 'default';
  var targetEpochs = 5;
  var statusTimer = 0;
  var statusPending = null;
  var statusLast = 0;
  var committed = {}; // field -> the value last acted on (change events may repeat)
  var deferErrors = false; // a button is being pressed
  var deferred = {};       // fields whose message waits for that press to end

  /* ---- numbers in fields ------------------------------------------------------------- */

  /** "0.1", "1e-3", "0,05" -> number, or NaN. */
  function parseNumber(text) {
    var t = String(text == null ? '' : text).trim().replace(/\s+/g, '');
    if (/^[+-]?\d*,\d+$/.test(t)) t = t.replace(',', '.');
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return NaN;
    return Number(t);
  }

  function parseInteger(text) {
    var t = String(text == null ? '' : text).trim().replace(/[,_\s](?=\d{3}\b)/g, '');
    if (!/^\+?\d+$/.test(t)) return NaN;
    return Number(t);
  }

  /** "128", "256-128", "256, 128", "" (no hidden layer); also a full "784-128-10". */
  function parseArch(text) {
    var t = String(text == null ? '' : text).trim();
    if (t === '') return { ok: true, hidden: [] };
    var parts = t.split(/\s*[-,x×\s]\s*/i).filter(function (p) { return p !== ''; });
    var nums = parts.map(parseInteger);
    if (nums.some(function (n) { return !isFinite(n); })) {
      return { ok: false, message: 'Hidden layer sizes must be whole numbers separated by "-" (e.g. 128 or 256-128)' };
    }
    if (nums.length >= 3 && nums[0] === 784 && nums[nums.length - 1] === 10) nums = nums.slice(1, -1);
    if (nums.length > MAX_HIDDEN_LAYERS) {
      return { ok: false, message: 'At most ' + MAX_HIDDEN_LAYERS + ' hidden layers' };
    }
    for (var i = 0; i < nums.length; i++) {
      if (nums[i] < 1 || nums[i] > MAX_WIDTH) {
        return { ok: false, message: 'Each hidden layer needs 1 to ' + fmt.int(MAX_WIDTH) + ' units' };
      }
    }
    return { ok: true, hidden: nums };
  }

  function paramCount(arch) {
    var n = 0;
    for (var i = 0; i + 1 < arch.length; i++) n += arch[i] * arch[i + 1] + arch[i + 1];
    return n;
  }

  var validators = {
    arch: function (v) {
      var r = parseArch(v);
      return r.ok ? { ok: true, value: [784].concat(r.hidden, [10]) } : r;
    },
    lr: function (v) {
      var n = parseNumber(v);
      if (!(n > 0) || !isFinite(n)) return { ok: false, message: 'Learning rate must be a number > 0' };
      if (n > 100) return { ok: false, message: 'Learning rate must be at most 100' };
      return { ok: true, value: n };
    },
    momentum: function (v) {
      var n = parseNumber(v);
      if (!(n >= 0 && n < 1)) return { ok: false, message: 'Momentum must be a number from 0 up to (not including) 1' };
      return { ok: true, value: n };
    },
    batch: function (v) {
      var t = String(v).trim().toLowerCase();
      if (t === 'full' || t === 'all') return { ok: true, value: trainCount };
      var n = parseInteger(t);
      if (!(n >= 1) || n > MAX_BATCH) {
        return { ok: false, message: 'Batch size must be a whole number from 1 to ' + fmt.int(MAX_BATCH) +
          ' (' + fmt.int(trainCount) + ' or more = full batch)' };
      }
      return { ok: true, value: n };
    },
    epochs: function (v) {
      var n = parseInteger(v);
      if (!(n >= 1) || n > MAX_EPOCHS) {
        return { ok: false, message: 'Epochs must be a whole number from 1 to ' + fmt.int(MAX_EPOCHS) };
      }
      return { ok: true, value: n };
    },
    seed: function (v) {
      var n = parseInteger(v);
      if (!(n >= 0) || n > MAX_SEED) {
        return { ok: false, message: 'Seed must be a whole number from 0 to ' + fmt.int(MAX_SEED) };
      }
      return { ok: true, value: n };
    }
  };

  function fieldError(field, message) {
    var input = $(field);
    var box = $(field + '-error');
    if (!input || !box) return;
    if (message) {
      box.textContent = message;
      box.hidden = false;
      input.setAttribute('aria-invalid', 'true');
    } else {
      box.textContent = '';
      box.hidden = true;
      input.removeAttribute('aria-invalid');
    }
  }

  function validateField(field, show) {
    var r = validators[field]($(field).value);
    if (show !== false) fieldError(field, r.ok ? null : r.message);
    return r;
  }

  /** Validates every field; shows inline messages and focuses the first bad field
   *  (unless quiet). -> {ok, config, errors: [{field, message}]} */
  function readConfig(quiet) {
    var p = PRESETS[basePreset] || PRESETS['default'];
    var values = {};
    var errors = [];
    FIELDS.forEach(function (f) {
      var r = validateField(f, !quiet);
      if (r.ok) values[f] = r.value; else errors.push({ field: f, message: r.message });
    });
    if (errors.length) {
      var first = quiet ? null : $(errors[0].field);
      if (first && document.activeElement !== first) first.focus();
      return { ok: false, errors: errors, config: null };
    }
    return {
      ok: true,
      errors: [],
      config: {
        preset: basePreset,
        arch: values.arch,
        init: p.init,
        seed: values.seed,
        batch: values.batch,
        lr: values.lr,
        momentum: values.momentum,
        weightDecay: p.weightDecay,
        lrDecay: p.lrDecay,
        epochs: values.epochs,
        iterations: 0
      }
    };
  }

  /** One of lr / batch / momentum -> {ok, hyper: {lr: 0.05}} */
  function readHyper(field) {
    var r = validateField(field, true);
    if (!r.ok) return { ok: false, message: r.message };
    var h = {};
    h[field] = r.value;
    return { ok: true, hyper: h };
  }

  function configKey(c) {
    if (!c) return '';
    return JSON.stringify([c.preset, c.arch, c.init, c.seed, c.batch, c.lr, c.momentum,
      c.weightDecay, c.lrDecay, c.epochs, c.iterations]);
  }

  function fillPreset(name) {
    var p = PRESETS[name];
    if (!p) return;
    basePreset = name;
    $('preset').value = name;
    $('arch').value = p.hidden.join('-');
    $('lr').value = fmt.num(p.lr);
    $('momentum').value = fmt.num(p.momentum);
    $('batch').value = String(p.batch);
    $('epochs').value = String(p.epochs);
    $('seed').value = String(p.seed);
    FIELDS.forEach(function (f) {
      fieldError(f, null);
      committed[f] = $(f).value;
    });
    updateSummaries();
  }

  /** The live hints: parameters, updates per epoch, how the preset differs. */
  function updateSummaries() {
    var p = PRESETS[basePreset];
    var arch = validators.arch($('arch').value);
    var batch = validators.batch($('batch').value);
    var epochs = validators.epochs($('epochs').value);
    var lr = validators.lr($('lr').value);
    var mom = validators.momentum($('momentum').value);

    setText('arch-summary', arch.ok
      ? 'Network ' + arch.value.join('-') + ': ' + fmt.int(paramCount(arch.value)) + ' parameters.'
      : '');

    var bits = [];
    if (batch.ok) {
      if (batch.value >= trainCount) bits.push('Full batch: one update per epoch');
      else bits.push(fmt.int(Math.ceil(trainCount / batch.value)) + ' updates per epoch');
      if (epochs.ok) {
        var per = batch.value >= trainCount ? 1 : Math.ceil(trainCount / batch.value);
        bits.push(fmt.int(per * epochs.value) + ' in all');
      }
    }
    bits.push(p.init === 'he' ? 'He initialisation' : "the notebook's U(−0.5, 0.5) initialisation");
    bits.push(p.lrDecay === 1 ? 'constant learning rate'
      : 'learning rate × ' + fmt.num(p.lrDecay) + ' after each epoch');
    setText('run-summary', bits.join(' · ') + '.');

    var changed = [];
    if (arch.ok && arch.value.slice(1, -1).join('-') !== p.hidden.join('-')) changed.push('layers');
    if (lr.ok && lr.value !== p.lr) changed.push('learning rate');
    if (mom.ok && mom.value !== p.momentum) changed.push('momentum');
    if (batch.ok && batch.value !== p.batch && !(p.batch >= trainCount && batch.value >= trainCount)) changed.push('batch size');
    if (epochs.ok && epochs.value !== p.epochs) changed.push('epochs');
    var seed = validators.seed($('seed').value);
    if (seed.ok && seed.value !== p.seed) changed.push('seed');
    setText('preset-hint', p.description + (changed.length ? ' Changed here: ' + changed.join(', ') + '.' : ''));
  }

  /* ---- buttons and state --------------------------------------------------------------- */

  /** state: loading|ready|training|paused|done|error. opts.recoverable (error: Train and Reset
   *  stay usable), opts.busy (waiting for the worker: Train/Step/Reset off). */
  function setState(s, opts) {
    opts = opts || {};
    state = s;
    document.body.setAttribute('data-state', s);
    var busy = !!opts.busy;
    var train = $('train'), pause = $('pause'), step = $('step'), reset = $('reset');
    var canTrain = !busy && (s === 'ready' || s === 'done' || (s === 'error' && opts.recoverable));
    var canReset = !busy && (s === 'ready' || s === 'training' || s === 'paused' || s === 'done' ||
      (s === 'error' && opts.recoverable));
    var canStep = !busy && (s === 'ready' || s === 'paused');
    var canPause = !busy && (s === 'training' || s === 'paused');
    var focused = document.activeElement;

    train.disabled = !canTrain;
    setText(train, s === 'done' || (s === 'error' && opts.recoverable) ? 'Train again' : 'Train');
    pause.disabled = !canPause;
    setText(pause, s === 'paused' ? 'Resume' : 'Pause');
    pause.setAttribute('aria-label', s === 'paused' ? 'Resume training' : 'Pause training');
    step.disabled = !canStep;
    reset.disabled = !canReset;

    // Keep keyboard focus on something useful when the focused button turns off.
    if (focused && focused.tagName === 'BUTTON' && focused.disabled) {
      var next = [pause, train, step, reset].filter(function (b) { return !b.disabled; })[0];
      if (next) next.focus({ preventScroll: true });
    }
  }

  function setStatus(text, kind, opts) {
    opts = opts || {};
    var box = $('status');
    var apply = function () {
      statusPending = null;
      statusLast = Date.now();
      box.setAttribute('data-kind', kind || 'info');
      setText(box, text);
    };
    if (statusTimer) { clearTimeout(statusTimer); statusTimer = 0; }
    // Throttled updates (epoch counters) at most once a second, so that a screen
    // reader is not flooded; everything else at once.
    if (opts.throttle) {
      if (box.textContent === text) return;
      var wait = 1000 - (Date.now() - statusLast);
      if (wait > 0) {
        statusPending = apply;
        statusTimer = setTimeout(function () { statusTimer = 0; if (statusPending) statusPending(); }, wait);
        return;
      }
    }
    apply();
  }

  function setNote(text) {
    setText('note', text || '');
  }

  function focusButton(id) {
    var b = $(id);
    if (b && !b.disabled) b.focus();
  }

  /* ---- data loading ------------------------------------------------------------------ */

  var fileRows = {};

  function clearDataProgress() {
    $('data-progress').textContent = '';
    fileRows = {};
  }

  function dataProgress(info) {
    var f = info.file;
    var row = fileRows[f.key];
    if (!row) {
      var li = el('li', 'file-row');
      var name = el('span', 'file-name', f.short);
      var bar = el('progress', 'file-bar');
      bar.max = 1;
      bar.value = 0;
      bar.setAttribute('aria-label', f.short);
      var text = el('span', 'file-text', '');
      li.appendChild(name);
      li.appendChild(bar);
      li.appendChild(text);
      // Keep the rows in the FILES order whatever order the events come in.
      var order = window.MnistData ? window.MnistData.FILES.map(function (x) { return x.key; }) : [];
      var list = $('data-progress');
      var before = null;
      for (var i = order.indexOf(f.key) + 1; i < order.length && !before; i++) {
        if (fileRows[order[i]]) before = fileRows[order[i]].li;
      }
      list.insertBefore(li, before);
      row = fileRows[f.key] = { li: li, bar: bar, text: text };
    }
    row.li.setAttribute('data-phase', info.phase);
    var label;
    if (info.phase === 'wait') {
      row.bar.value = 0;
      label = 'waiting';
    } else if (info.phase === 'download') {
      if (info.mode === 'script') {
        row.bar.removeAttribute('value');
        label = 'loading';
      } else if (info.total > 0) {
        row.bar.value = Math.min(1, info.loaded / info.total);
        label = fmt.bytesPair(info.loaded, info.total);
      } else {
        if (info.loaded > 0) row.bar.removeAttribute('value'); else row.bar.value = 0;
        label = info.loaded > 0 ? fmt.bytes(info.loaded) : 'waiting';
      }
    } else if (info.phase === 'decompress') {
      row.bar.value = 1;
      label = 'unpacking';
    } else if (info.phase === 'done') {
      row.bar.value = 1;
      label = '✓ ' + fmt.bytes(info.size);
    } else {
      label = '';
    }
    setText(row.text, label);
  }

  /** After a failed load: rows that did not finish say so (or, with clear, all go). */
  function dataFailed(clear) {
    if (clear) { clearDataProgress(); return; }
    Object.keys(fileRows).forEach(function (k) {
      var row = fileRows[k];
      if (row.li.getAttribute('data-phase') === 'done') return;
      row.li.setAttribute('data-phase', 'failed');
      row.bar.value = 0;
      setText(row.text, 'not loaded');
    });
  }

  function setDataset(id, count) {
    if (count > 0) trainCount = count;
    classNames = id === 'fashion-mnist' ? FASHION_NAMES : null;
    var names = $('class-names');
    if (classNames) {
      names.textContent = 'Classes: ' + classNames.map(function (n, i) { return i + ' ' + n; }).join(' · ');
      names.hidden = false;
    } else {
      names.hidden = true;
    }
    updateSummaries();
  }

  function setDatasetSelect(id) {
    if (id && $('dataset').value !== id) $('dataset').value = id;
  }

  function datasetValue() { return $('dataset').value; }

  /** Sets a field as the program's own choice (e.g. the layers of a loaded model). */
  function setFieldValue(field, text) {
    $(field).value = text;
    committed[field] = text;
    fieldError(field, null);
    updateSummaries();
  }

  /** The value of a field if it is valid, else null; shows nothing. */
  function peekField(field) {
    var r = validators[field] ? validators[field]($(field).value) : { ok: false };
    return r.ok ? r.value : null;
  }

  function setDataUrl(text) { $('data-url').value = text || ''; }
  function getDataUrl() { return $('data-url').value.trim(); }

  /* ---- live display ---------------------------------------------------------------------- */

  function setTarget(epochs) {
    if (epochs > 0) targetEpochs = epochs;
    setText('epoch', 'Epoch 0 / ' + fmt.int(targetEpochs));
  }

  function setAccuracy(text) {
    var e = $('test-accuracy');
    setText(e, text);
    e.classList.toggle('is-empty', text === '—');
  }

  function clearResults() {
    setAccuracy('—');
    setText('accuracy-note', '');
    $('progress').value = 0;
    setText('progress-text', '0%');
    ['eta', 'speed', 'loss', 'train-accuracy', 'lr-now', 'iterations', 'elapsed'].forEach(function (id) {
      setText(id, '—');
    });
    setText('epoch', 'Epoch 0 / ' + fmt.int(targetEpochs));
    $('predictions').textContent = '';
    $('predictions-empty').hidden = false;
    hideDiverged();
    $('epoch-log').tBodies[0].textContent = '';
  }

  function showProgress(p) {
    if (!p) return;
    var epochs = p.epochs > 0 ? p.epochs : targetEpochs;
    targetEpochs = epochs;
    var epoch = p.epoch || 0;
    var within = Math.max(0, Math.min(1, p.epochProgress || 0));
    var finished = p.state === 'done' || epoch >= epochs;
    var started = (p.samples || 0) > 0 || (p.iterations || 0) > 0;
    var shown = finished ? epochs : started ? Math.min(epoch + 1, epochs) : 0;
    setText('epoch', 'Epoch ' + fmt.int(shown) + ' / ' + fmt.int(epochs));
    var frac = finished ? 1 : Math.min(1, (epoch + within) / epochs);
    $('progress').value = frac;
    setText('progress-text', (frac * 100).toFixed(frac < 0.1 && frac > 0 ? 1 : 0) + '%');
    setText('eta', finished ? 'done' : p.eta == null || !isFinite(p.eta) ? '—' : fmt.duration(p.eta));
    setText('speed', p.samplesPerSecond > 0 ? fmt.int(p.samplesPerSecond) : '—');
    // Running means over the epoch so far: none yet until a batch of the epoch completes
    // (a full batch completes only at the epoch's end), so keep the last ones shown.
    if (!started) {
      setText('loss', '—');
      setText('train-accuracy', '—');
    } else if (p.loss > 0) {
      setText('loss', fmt.fixed(p.loss, 4));
      setText('train-accuracy', fmt.percent(p.trainAccuracy));
    }
    setText('lr-now', fmt.num(p.lr));
    setText('iterations', fmt.int(p.iterations || 0));
    setText('elapsed', fmt.duration(p.elapsed || 0));
  }

  /** opts.loaded: the network came from a model file (trained, though not here). */
  function showEvaluation(e, opts) {
    if (!e) return;
    if (e.samples === 0 && opts && opts.loaded) {
      setAccuracy(fmt.percent(e.testAccuracy));
      setText('accuracy-note', 'loaded model');
    } else if (e.samples === 0) {
      // The fresh, untrained network: worth a look (about chance), but not "the" accuracy.
      setText('accuracy-note', 'untrained: ' + fmt.percent(e.testAccuracy, 1) + ' (chance: 10%)');
    } else {
      setAccuracy(fmt.percent(e.testAccuracy));
      setText('accuracy-note', '');
    }
  }

  /* predictions grid */

  /** A class as words: the digit, or the Fashion-MNIST name. */
  function className(k) {
    return classNames ? classNames[k] : String(k);
  }

  function showPredictions(m) {
    if (!m || !m.labels) return;
    var n = m.labels.length;
    var grid = $('predictions');
    var images = m.images instanceof Uint8Array ? m.images : new Uint8Array(m.images || 0);
    while (grid.children.length > n) grid.removeChild(grid.lastChild);
    while (grid.children.length < n) grid.appendChild(makePredictionItem());
    for (var i = 0; i < n; i++) {
      var li = grid.children[i];
      var label = m.labels[i], pred = m.predicted[i];
      var conf = m.confidence ? m.confidence[i] : NaN;
      var ok = label === pred;
      li.setAttribute('data-label', String(label));
      li.setAttribute('data-predicted', String(pred));
      li.setAttribute('data-correct', ok ? 'true' : 'false');
      if (m.indices) li.setAttribute('data-index', String(m.indices[i]));
      var confText = isFinite(conf) ? Math.round(conf * 100) + '%' : '';
      li.querySelector('.pred-mark').textContent = ok ? '✓' : '✗';
      li.querySelector('.pred-text').textContent = shortLabel(pred);
      li.querySelector('.pred-conf').textContent = confText;
      var truth = li.querySelector('.pred-truth');
      truth.textContent = ok ? '' : 'is ' + shortLabel(label);
      truth.hidden = ok;
      var desc = 'Test image' + (m.indices ? ' ' + fmt.int(m.indices[i]) : '') + ': predicted ' +
        className(pred) + (confText ? ' (' + confText + ' sure)' : '') +
        (ok ? ', right' : ', wrong: it is ' + className(label));
      li.setAttribute('aria-label', desc);
      li.title = desc;
      if (images.length >= (i + 1) * 784) drawDigit(li.querySelector('canvas'), images, i * 784);
    }
    grid.classList.toggle('with-names', !!classNames);
    $('predictions-empty').hidden = n > 0;
  }

  var SHORT_FASHION = ['T-shirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker',
    'Bag', 'Boot'];

  function shortLabel(k) {
    return classNames ? SHORT_FASHION[k] || String(k) : String(k);
  }

  function makePredictionItem() {
    var li = el('li', 'pred');
    li.setAttribute('role', 'button'); // picks the image for the activations view
    li.tabIndex = 0;
    var c = el('canvas', 'pred-img');
    c.width = 28;
    c.height = 28;
    c.setAttribute('aria-hidden', 'true');
    var cap = el('span', 'pred-caption');
    cap.appendChild(el('span', 'pred-mark', ''));
    cap.appendChild(document.createTextNode(' '));
    cap.appendChild(el('span', 'pred-text', ''));
    cap.appendChild(el('span', 'pred-sep', ' · '));
    cap.appendChild(el('span', 'pred-conf', ''));
    li.appendChild(c);
    li.appendChild(cap);
    var truth = el('span', 'pred-truth', '');
    truth.hidden = true;
    li.appendChild(truth);
    return li;
  }

  function drawDigit(canvas, pixels, offset) {
    var ctx = canvas.getContext('2d');
    var img = ctx.createImageData(28, 28);
    var d = img.data;
    for (var j = 0; j < 784; j++) {
      var v = pixels[offset + j];
      var k = j * 4;
      d[k] = d[k + 1] = d[k + 2] = v;
      d[k + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  /* epoch log, done, divergence, hyperparameters */

  function showEpochEnd(e) {
    var tbody = $('epoch-log').tBodies[0];
    var tr = el('tr');
    [fmt.int(e.epoch), fmt.fixed(e.trainLoss, 4), fmt.percent(e.trainAccuracy),
      fmt.fixed(e.testLoss, 4), fmt.percent(e.testAccuracy)].forEach(function (t, i) {
      var cell = el(i === 0 ? 'th' : 'td', null, t);
      if (i === 0) cell.setAttribute('scope', 'row');
      tr.appendChild(cell);
    });
    tbody.appendChild(tr);
    if (typeof e.testAccuracy === 'number') setAccuracy(fmt.percent(e.testAccuracy));
  }

  function showDone(d) {
    $('progress').value = 1;
    setText('progress-text', '100%');
    setText('eta', 'done');
    if (d && typeof d.testAccuracy === 'number') setAccuracy(fmt.percent(d.testAccuracy));
    if (d && typeof d.elapsed === 'number') setText('elapsed', fmt.duration(d.elapsed));
  }

  function showDiverged(d) {
    var box = $('diverged');
    box.textContent = '';
    box.appendChild(el('strong', null, 'Training diverged. '));
    box.appendChild(document.createTextNode(
      'At update ' + fmt.int(d.iteration) + ' the loss became NaN or infinite with learning rate ' +
      fmt.num(d.lr) + '. Try a smaller learning rate (for example ' + fmt.num(suggestLr(d.lr)) +
      '), then press Train again.'));
    if (d.message) box.appendChild(el('span', 'alert-detail', ' (' + d.message + ')'));
    box.hidden = false;
  }

  function suggestLr(lr) {
    return typeof lr === 'number' && lr > 0 ? Number((lr / 10).toPrecision(2)) : 0.1;
  }

  function hideDiverged() {
    var box = $('diverged');
    box.hidden = true;
    box.textContent = '';
  }

  function showHyper(h) {
    if (!h) return;
    var bits = [];
    if (h.lr != null) bits.push('learning rate ' + fmt.num(h.lr));
    if (h.batch != null) bits.push('batch ' + (h.batch >= trainCount ? 'full (' + fmt.int(h.batch) + ')' : fmt.int(h.batch)));
    if (h.momentum != null) bits.push('momentum ' + fmt.num(h.momentum));
    if (bits.length) setNote('Now training with ' + bits.join(', ') + '.');
  }

  function setVersion(text) {
    setText('version', text || '');
  }

  /* ---- events -------------------------------------------------------------------------- */

  function call(name) {
    var args = Array.prototype.slice.call(arguments, 1);
    if (typeof handlers[name] === 'function') handlers[name].apply(null, args);
  }

  function init(h) {
    handlers = h || {};
    fillPreset($('preset').value || 'default');

    $('train').addEventListener('click', function () { call('onTrain'); });
    $('pause').addEventListener('click', function () { call('onPause'); });
    $('step').addEventListener('click', function () { call('onStep'); });
    $('reset').addEventListener('click', function () { call('onReset'); });

    $('config').addEventListener('submit', function (e) {
      e.preventDefault();
      if (!$('train').disabled) call('onTrain');
    });

    $('preset').addEventListener('change', function () {
      fillPreset($('preset').value);
      call('onStructureChange', 'preset');
    });

    FIELDS.forEach(function (f) {
      var input = $(f);
      // While typing: clear a message as soon as the value is fine (never nag mid-word).
      input.addEventListener('input', function () {
        if (input.getAttribute('aria-invalid') === 'true' && validators[f](input.value).ok) fieldError(f, null);
        updateSummaries();
      });
      input.addEventListener('change', function () {
        // Leaving the field by pressing a button: showing the message now would move the
        // button away between press and release and lose the click. Show it after.
        var r = validateField(f, !deferErrors);
        if (deferErrors && !r.ok) deferred[f] = true;
        updateSummaries();
        if (!r.ok || committed[f] === input.value) return;
        committed[f] = input.value;
        if (f === 'lr' || f === 'batch' || f === 'momentum') {
          var hyper = {};
          hyper[f] = r.value;
          call('onHyper', hyper);
        } else {
          call('onStructureChange', f);
        }
      });
      input.addEventListener('keydown', function (e) {
        if (e.key === 'Enter') {
          e.preventDefault();
          input.dispatchEvent(new Event('change', { bubbles: true }));
        }
      });
    });

    $('dataset').addEventListener('change', function () { call('onDataset', $('dataset').value); });
    $('data-load').addEventListener('click', function () { call('onDataUrl', getDataUrl()); });
    $('data-url').addEventListener('keydown', function (e) {
      if (e.key === 'Enter') { e.preventDefault(); call('onDataUrl', getDataUrl()); }
    });
    $('data-files').addEventListener('change', function () {
      var files = $('data-files').files;
      if (files && files.length) call('onFiles', Array.prototype.slice.call(files));
    });

    // See the 'change' handler above.
    document.addEventListener('pointerdown', function (e) {
      if (e.target && e.target.closest && e.target.closest('button')) deferErrors = true;
    }, true);
    var release = function () {
      if (!deferErrors) return;
      setTimeout(function () {
        deferErrors = false;
        Object.keys(deferred).forEach(function (f) { validateField(f, true); });
        deferred = {};
      }, 0);
    };
    document.addEventListener('pointerup', release, true);
    document.addEventListener('pointercancel', release, true);

    bindDrop();
  }

  function bindDrop() {
    var overlay = $('drop-overlay');
    var depth = 0;
    function hasFiles(e) {
      var types = e.dataTransfer && e.dataTransfer.types;
      return !!types && Array.prototype.indexOf.call(types, 'Files') !== -1;
    }
    window.addEventListener('dragenter', function (e) {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      overlay.hidden = false;
    });
    window.addEventListener('dragover', function (e) {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    });
    window.addEventListener('dragleave', function (e) {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) overlay.hidden = true;
    });
    window.addEventListener('drop', function (e) {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      overlay.hidden = true;
      var files = e.dataTransfer.files;
      if (files && files.length) call('onFiles', Array.prototype.slice.call(files));
    });
  }

  window.MnistUI = {
    PRESETS: PRESETS,
    FASHION_NAMES: FASHION_NAMES,
    fmt: fmt,
    el: el,
    drawDigit: drawDigit,
    className: className,
    classNames: function () { return classNames; },
    init: init,
    readConfig: readConfig,
    readHyper: readHyper,
    configKey: configKey,
    fillPreset: fillPreset,
    fieldError: fieldError,
    parseArch: parseArch,
    paramCount: paramCount,
    setState: setState,
    setStatus: setStatus,
    setNote: setNote,
    focusButton: focusButton,
    dataProgress: dataProgress,
    clearDataProgress: clearDataProgress,
    dataFailed: dataFailed,
    setDataset: setDataset,
    setDatasetSelect: setDatasetSelect,
    datasetValue: datasetValue,
    peekField: peekField,
    setFieldValue: setFieldValue,
    setDataUrl: setDataUrl,
    getDataUrl: getDataUrl,
    setTarget: setTarget,
    clearResults: clearResults,
    showProgress: showProgress,
    showEvaluation: showEvaluation,
    showPredictions: showPredictions,
    showEpochEnd: showEpochEnd,
    showDone: showDone,
    showDiverged: showDiverged,
    hideDiverged: hideDiverged,
    showHyper: showHyper,
    setVersion: setVersion
  };
})();
