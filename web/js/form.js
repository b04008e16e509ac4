/* form.js - the settings form (one job: the fields, their checks and hints, and the
 * preset select). What a field accepts and what each preset sets are the core's rules
 * (src: the `rules` export, delivered in the worker's `ready` message as `rules`):
 * the presets in display order with their descriptions, every field's min/max and
 * integer rule, the most weight layers and the widest hidden layer. Until setRules()
 * the form is empty and nothing validates.
 *
 * Public: window.MnistForm = {
 *   init({onHyper(partialHyper), onStructureChange(what)})   binds the fields
 *   setRules(rules)             the preset list, the limits; fills the default preset
 *   hasPreset(name), presetNames()
 *   fillPreset(name)            fills the fields from a preset
 *   readConfig(quiet)           validates every field (inline messages unless quiet; focuses the
 *                               first bad one) -> {ok, config, errors: [{field, message}]}
 *   fieldError(field, message)  shows (or with no message clears) an inline error
 *   setFieldValue(field, text)  sets a field without acting on it (e.g. a loaded model's layers)
 *   peekField(field)            its value if valid, else null; shows nothing
 *   refresh()                   the hints again (the training-set size changed)
 * }
 */
(function () {
  'use strict';

  var Dom = window.MnistDom;
  var fmt = window.MnistFormat;
  var Store = window.MnistStore;
  var $ = Dom.$, el = Dom.el, setText = Dom.setText;

  var FIELDS = ['arch', 'lr', 'momentum', 'batch', 'epochs', 'seed'];
  var HYPER = ['lr', 'batch', 'momentum']; // change while training; the others need a Reset
  var LABELS = { lr: 'Learning rate', momentum: 'Momentum', batch: 'Batch size', epochs: 'Epochs', seed: 'Seed' };

  var rules = null;
  var handlers = {};
  var basePreset = '';
  var committed = {}; // field -> the value last acted on (change events may repeat)
  var deferErrors = false; // a button is being pressed
  var deferred = {};       // fields whose message waits for that press to end

  function trainCount() { return Store.get().trainCount; }

  /* ---- numbers in fields ---- */

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

  /** "128", "256-128", "256, 128", "" (no hidden layer); also a full "784-128-10". With a
   *  convolution or a pool among them ("c16k3-p2-64", the core's grammar) the text goes to the
   *  core as it is, which checks it (a bad one comes back as an error for this field). */
  function parseArch(text) {
    var t = String(text == null ? '' : text).trim();
    if (t === '') return { ok: true, hidden: [] };
    var parts = t.split(/\s*[-,x×\s]\s*/i).filter(function (p) { return p !== ''; });
    if (parts.length >= 3 && parts[0] === String(rules.pixels) && parts[parts.length - 1] === String(rules.classes)) {
      parts = parts.slice(1, -1);
    }
    if (parts.some(function (p) { return /^(c\d+k\d+(pad\d+)?|p\d+)$/i.test(p); })) {
      return { ok: true, layers: parts.map(function (p) { return p.toLowerCase(); }) };
    }
    var nums = parts.map(parseInteger);
    if (nums.some(function (n) { return !isFinite(n); })) {
      return { ok: false, message: 'Hidden layer sizes must be whole numbers separated by "-" (e.g. 128 or 256-128), ' +
        'or layers like c16k3-p2-64' };
    }
    var maxHidden = rules.limits.layers.max - 1, width = rules.limits.width;
    if (nums.length > maxHidden) return { ok: false, message: 'At most ' + maxHidden + ' hidden layers' };
    for (var i = 0; i < nums.length; i++) {
      if (nums[i] < width.min || nums[i] > width.max) {
        return { ok: false, message: 'Each hidden layer needs ' + fmt.int(width.min) + ' to ' + fmt.int(width.max) + ' units' };
      }
    }
    return { ok: true, hidden: nums };
  }

  /** A dense network's parameters (widths [784, ..., 10]). */
  function paramCount(arch) {
    var n = 0;
    for (var i = 0; i + 1 < arch.length; i++) n += arch[i] * arch[i + 1] + arch[i + 1];
    return n;
  }

  /** The layers between the input and the output of an architecture text: "c16k3-p2-64". */
  function middle(arch) { return arch.split('-').slice(1, -1).join('-'); }

  /** The sentence for a value outside `lim` ({min, max, integer, minExclusive, maxExclusive}). */
  function rangeMessage(label, lim, tooLow) {
    if (lim.integer) return label + ' must be a whole number from ' + fmt.int(lim.min) + ' to ' + fmt.int(lim.max);
    if (lim.minExclusive) {
      return tooLow ? label + ' must be a number > ' + fmt.num(lim.min) : label + ' must be at most ' + fmt.num(lim.max);
    }
    return label + ' must be a number from ' + fmt.num(lim.min) + (lim.maxExclusive ? ' up to (not including) ' : ' to ') +
      fmt.num(lim.max);
  }

  /** A number field checked against the core's limits. */
  function checkNumber(field, text) {
    var lim = rules.limits[field];
    var t = String(text).trim().toLowerCase();
    if (field === 'batch' && (t === 'full' || t === 'all')) return { ok: true, value: trainCount() };
    var n = lim.integer ? parseInteger(t) : parseNumber(t);
    var tooLow = !isFinite(n) || (lim.minExclusive ? !(n > lim.min) : !(n >= lim.min));
    var tooHigh = lim.maxExclusive ? n >= lim.max : n > lim.max;
    if (!tooLow && !tooHigh) return { ok: true, value: n };
    return { ok: false, message: rangeMessage(LABELS[field], lim, tooLow) +
      (field === 'batch' ? ' (' + fmt.int(trainCount()) + ' or more = full batch)' : '') };
  }

  function check(field, text) {
    if (!rules) return { ok: false, message: '' }; // nothing to check against yet
    if (field !== 'arch') return checkNumber(field, text);
    var r = parseArch(text);
    if (!r.ok) return r;
    var layers = [rules.pixels].concat(r.hidden || r.layers, [rules.classes]);
    // value: the core's text; widths: a dense network's layer widths (null for a convolutional one)
    return { ok: true, value: layers.join('-'), widths: r.hidden ? layers : null };
  }

  function fieldError(field, message) {
    var input = $(field);
    var box = $(field + '-error');
    if (!input || !box) return;
    box.textContent = message || '';
    box.hidden = !message;
    if (message) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
  }

  function validateField(field, show) {
    var r = check(field, $(field).value);
    if (show !== false) fieldError(field, r.ok ? null : r.message);
    return r;
  }

  function readConfig(quiet) {
    var p = rules.presets[basePreset];
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
        preset: basePreset, arch: values.arch, init: p.init, seed: values.seed, batch: values.batch, lr: values.lr,
        momentum: values.momentum, weightDecay: p.weightDecay, lrDecay: p.lrDecay, epochs: values.epochs,
        iterations: 0, // the form has no such field: its epochs are the whole run
        // the preset's, as the form has no fields for them
        optimizer: p.optimizer, schedule: p.schedule, beta1: p.beta1, beta2: p.beta2, eps: p.eps, shift: p.shift
      }
    };
  }

  /* ---- presets and hints ---- */

  function fillPreset(name) {
    var p = rules.presets[name];
    if (!p) return;
    basePreset = name;
    $('preset').value = name;
    $('arch').value = middle(p.arch);
    $('lr').value = fmt.num(p.lr);
    $('momentum').value = fmt.num(p.momentum);
    $('batch').value = String(p.batch);
    $('epochs').value = String(p.epochs);
    $('seed').value = String(p.seed);
    FIELDS.forEach(function (f) {
      fieldError(f, null);
      committed[f] = $(f).value;
    });
    refresh();
  }

  /** The live hints: parameters, updates per epoch, how the preset differs. */
  function refresh() {
    if (!rules) return;
    var p = rules.presets[basePreset];
    var n = trainCount();
    var v = {};
    FIELDS.forEach(function (f) { v[f] = check(f, $(f).value); });

    setText('arch-summary', !v.arch.ok ? '' : v.arch.widths
      ? 'Network ' + v.arch.value + ': ' + fmt.int(paramCount(v.arch.widths)) + ' parameters.'
      : 'Network ' + v.arch.value + ' (convolutional).');

    var bits = [];
    if (v.batch.ok) {
      var per = v.batch.value >= n ? 1 : Math.ceil(n / v.batch.value);
      bits.push(v.batch.value >= n ? 'Full batch: one update per epoch' : fmt.int(per) + ' updates per epoch');
      if (v.epochs.ok) bits.push(fmt.int(per * v.epochs.value) + ' in all');
    }
    bits.push(p.init === 'he' ? 'He initialisation' : "the notebook's U(−0.5, 0.5) initialisation");
    if (p.optimizer === 'adam') bits.push('Adam');
    if (p.schedule === 'onecycle') bits.push('one-cycle learning rate (the rate above is its peak)');
    else bits.push(p.lrDecay === 1 ? 'constant learning rate' : 'learning rate × ' + fmt.num(p.lrDecay) + ' after each epoch');
    if (p.shift) bits.push('images shifted by up to ' + p.shift + (p.shift === 1 ? ' pixel' : ' pixels'));
    setText('run-summary', bits.join(' · ') + '.');

    var changed = [];
    if (v.arch.ok && v.arch.value !== p.arch) changed.push('layers');
    if (v.lr.ok && v.lr.value !== p.lr) changed.push('learning rate');
    if (v.momentum.ok && v.momentum.value !== p.momentum) changed.push('momentum');
    if (v.batch.ok && v.batch.value !== p.batch && !(p.batch >= n && v.batch.value >= n)) changed.push('batch size');
    if (v.epochs.ok && v.epochs.value !== p.epochs) changed.push('epochs');
    if (v.seed.ok && v.seed.value !== p.seed) changed.push('seed');
    setText('preset-hint', p.description + (changed.length ? ' Changed here: ' + changed.join(', ') + '.' : ''));
  }

  function setRules(r) {
    rules = r;
    var select = $('preset');
    Dom.fill(select, Object.keys(r.presets).map(function (name) {
      var option = el('option', null, name + ': ' + r.presets[name].arch);
      option.value = name;
      return option;
    }));
    fillPreset(r.presets['default'] ? 'default' : Object.keys(r.presets)[0]);
  }

  function setFieldValue(field, text) {
    $(field).value = text;
    committed[field] = text;
    fieldError(field, null);
    refresh();
  }

  function peekField(field) {
    var r = check(field, $(field).value);
    return r.ok ? r.value : null;
  }

  /* ---- events ---- */

  function init(h) {
    handlers = h || {};
    $('preset').addEventListener('change', function () {
      fillPreset($('preset').value);
      handlers.onStructureChange('preset');
    });
    FIELDS.forEach(function (f) {
      var input = $(f);
      // While typing: clear a message as soon as the value is fine (never nag mid-word).
      input.addEventListener('input', function () {
        if (input.getAttribute('aria-invalid') === 'true' && check(f, input.value).ok) fieldError(f, null);
        refresh();
      });
      input.addEventListener('change', function () {
        // Leaving the field by pressing a button: showing the message now would move the
        // button away between press and release and lose the click. Show it after.
        var r = validateField(f, !deferErrors);
        if (deferErrors && !r.ok) deferred[f] = true;
        refresh();
        if (!r.ok || committed[f] === input.value) return;
        committed[f] = input.value;
        if (HYPER.indexOf(f) >= 0) {
          var hyper = {};
          hyper[f] = r.value;
          handlers.onHyper(hyper);
        } else {
          handlers.onStructureChange(f);
        }
      });
      input.addEventListener('keydown', function (e) {
        if (e.key === 'Enter') {
          e.preventDefault();
          input.dispatchEvent(new Event('change', { bubbles: true }));
        }
      });
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
  }

  window.MnistForm = {
    init: init,
    setRules: setRules,
    hasPreset: function (name) { return !!(rules && Object.prototype.hasOwnProperty.call(rules.presets, name)); },
    presetNames: function () { return rules ? Object.keys(rules.presets) : []; },
    fillPreset: fillPreset,
    readConfig: readConfig,
    fieldError: fieldError,
    setFieldValue: setFieldValue,
    peekField: peekField,
    refresh: refresh
  };
})();
