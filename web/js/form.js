/* form.js - the settings form (one job: the fields, their checks and hints, the layer
 * list and the preset select). What a field accepts and what each preset sets are the
 * core's rules (src: the `rules` export, delivered in the worker's `ready` message as
 * `rules`): the presets in display order with their descriptions, every field's min/max and
 * integer rule, the optimisers and schedules. The architecture's layers, their shapes,
 * parameters and faults are the core's too (mnist_arch_describe, asked through the
 * describer a controller plugs in). Until setRules() the form is empty and nothing validates.
 *
 * Public: window.MnistForm = {
 *   FIELDS                      the fields' keys (= config keys = address parameters)
 *   AUGMENTATION                the augmentation fields (one entry each; see below)
 *   init({onHyper(partialHyper), onStructureChange(what)})   binds the fields
 *   setDescriber(fn(archText, done(description)))   how to ask the core about a layer text
 *   setRules(rules)             the preset list, the limits; fills the default preset
 *   hasPreset(name), presetNames()
 *   fillPreset(name)            fills the fields from a preset
 *   readConfig(quiet)           validates every field (inline messages unless quiet; focuses the
 *                               first bad one) -> {ok, config, errors: [{field, message}]}
 *   fieldError(field, message)  shows (or with no message clears) an inline error
 *   setFieldValue(field, text)  sets a field without acting on it (e.g. a loaded model's layers)
 *   applyText(field, text)      sets a field as if the user typed it (and acts on it)
 *                               -> the field's message if it refuses the text, else null
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

  /* The augmentation fields, one entry each: a setting of the core's hyperparameters
   * (`key`: the config and hyper key, the address parameter and the field's id; its limits
   * are rules.limits[key]) that changes while training; `says` its value in words, `off`
   * the words for 0 (the run's summary and the note after a live change use them). Another
   * augmentation is one more entry here: the field, its check, the preset's value, the
   * address and the run's summary follow. */
  var AUGMENTATION = [
    { key: 'shift', off: 'no shifts', label: 'Shift (pixels)', hint: 'Each training image moved by up to this many pixels (0: off).',
      says: function (v) { return 'images shifted by up to ' + v + (v === 1 ? ' pixel' : ' pixels'); } },
    { key: 'rotate', off: 'no turns', label: 'Rotation (degrees)', hint: 'Each training image turned by up to this many degrees either way (0: off).',
      says: function (v) { return 'images turned by up to ' + fmt.num(v) + '°'; } },
    { key: 'scale', off: 'no scaling', label: 'Scaling', hint: 'Each training image scaled by up to this fraction either way, e.g. 0.1 = ±10% (0: off).',
      says: function (v) { return 'images scaled by up to ±' + fmt.num(Math.round(v * 1000) / 10) + '%'; } }
  ];
  var AUG_KEYS = AUGMENTATION.map(function (a) { return a.key; });
  var CHOICES = { optimizer: 'optimizers', schedule: 'schedules' }; // select fields: their names in rules
  var FIELDS = ['arch', 'lr', 'momentum', 'batch', 'epochs', 'seed', 'optimizer', 'schedule'].concat(AUG_KEYS);
  // change while training (an optimiser change starts it from zero state); the others need a Reset
  var HYPER = ['lr', 'batch', 'momentum', 'optimizer'].concat(AUG_KEYS);
  var LABELS = { lr: 'Learning rate', momentum: 'Momentum', batch: 'Batch size', epochs: 'Epochs', seed: 'Seed',
    optimizer: 'Optimiser', schedule: 'Schedule' };
  AUGMENTATION.forEach(function (a) { LABELS[a.key] = a.label; });
  var DESCRIBE_DELAY = 120; // ms after the last keystroke before the core is asked about the layers

  var rules = null;
  var handlers = {};
  var basePreset = '';
  var committed = {}; // field -> the value last acted on (change events may repeat)
  var deferErrors = false; // a button is being pressed
  var deferred = {};       // fields whose message waits for that press to end
  var describer = null;    // fn(archText, done): the core's description of a layer text
  var described = { text: null, d: null }; // the latest description shown
  var describeSeq = 0, describeTimer = null;

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

  /** The core's architecture text of what the field holds: "128", "256-128", "256, 128",
   *  "c16k3-p2-64", "" (no hidden layer), also a full "784-128-10", become "784-...-10".
   *  The core checks the rest (mnist_arch_describe: the layer list shows its verdict). */
  function archText(text) {
    var t = String(text == null ? '' : text).trim().toLowerCase();
    var parts = t === '' ? [] : t.split(/\s*[-,x×\s]\s*/).filter(function (p) { return p !== ''; });
    if (parts.length >= 3 && parts[0] === String(rules.pixels) && parts[parts.length - 1] === String(rules.classes)) {
      parts = parts.slice(1, -1);
    }
    return [rules.pixels].concat(parts, [rules.classes]).join('-');
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

  /** A select's value: one of the core's names. */
  function checkChoice(field, text) {
    var names = rules[CHOICES[field]];
    if (names.indexOf(text) >= 0) return { ok: true, value: text };
    return { ok: false, message: LABELS[field] + ' must be ' + names.join(' or ') + ', not "' + text + '"' };
  }

  /** The layers: the core's text; a fault the core found in that very text (once its
   *  description is in: until then the worker's configure is the check). */
  function checkArch(text) {
    var value = archText(text);
    if (described.text === value && !described.d.ok) return { ok: false, message: described.d.message };
    return { ok: true, value: value };
  }

  function check(field, text) {
    if (!rules) return { ok: false, message: '' }; // nothing to check against yet
    if (field === 'arch') return checkArch(text);
    if (CHOICES[field]) return checkChoice(field, text);
    return checkNumber(field, text);
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
    var out = {
      ok: true,
      errors: [],
      config: {
        preset: basePreset, arch: values.arch, init: p.init, seed: values.seed, batch: values.batch, lr: values.lr,
        momentum: values.momentum, weightDecay: p.weightDecay, lrDecay: p.lrDecay, epochs: values.epochs,
        iterations: 0, // the form has no such field: its epochs are the whole run
        optimizer: values.optimizer, schedule: values.schedule,
        beta1: p.beta1, beta2: p.beta2, eps: p.eps // the preset's, as the form has no fields for them
      }
    };
    AUG_KEYS.forEach(function (k) { out.config[k] = values[k]; });
    return out;
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
    $('optimizer').value = p.optimizer;
    $('schedule').value = p.schedule;
    AUG_KEYS.forEach(function (k) { $(k).value = String(p[k]); });
    FIELDS.forEach(function (f) {
      fieldError(f, null);
      committed[f] = $(f).value;
    });
    describeArch(0);
    refresh();
  }

  /** The live hints: the layers (as the core last described them), updates per epoch,
   *  the optimiser and schedule, how the run differs from the preset. */
  function refresh() {
    if (!rules) return;
    var p = rules.presets[basePreset];
    var n = trainCount();
    var v = {};
    FIELDS.forEach(function (f) { v[f] = check(f, $(f).value); });

    var d = described.text === v.arch.value ? described.d : null;
    setText('arch-summary', !v.arch.ok ? '' : 'Network ' + v.arch.value +
      (/-(c|p)\d/.test(v.arch.value) ? ' (convolutional)' : '') +
      (d && d.ok ? ': ' + fmt.int(d.params) + ' parameters.' : '.'));

    var bits = [];
    if (v.batch.ok) {
      var per = v.batch.value >= n ? 1 : Math.ceil(n / v.batch.value);
      bits.push(v.batch.value >= n ? 'Full batch: one update per epoch' : fmt.int(per) + ' updates per epoch');
      if (v.epochs.ok) bits.push(fmt.int(per * v.epochs.value) + ' in all');
    }
    bits.push(p.init === 'he' ? 'He initialisation' : "the notebook's U(−0.5, 0.5) initialisation");
    var adam = v.optimizer.ok && v.optimizer.value === 'adam', onecycle = v.schedule.ok && v.schedule.value === 'onecycle';
    if (adam) bits.push('Adam');
    if (onecycle) bits.push('one-cycle learning rate (the rate above is its peak)');
    else bits.push(p.lrDecay === 1 ? 'constant learning rate' : 'learning rate × ' + fmt.num(p.lrDecay) + ' after each epoch');
    if (adam || onecycle) bits.push('momentum field not used (' + (adam ? "Adam's β₁ = " + fmt.num(p.beta1) : 'the cycle sets it') + ')');
    AUGMENTATION.forEach(function (a) { if (v[a.key].ok && v[a.key].value) bits.push(a.says(v[a.key].value)); });
    setText('run-summary', bits.join(' · ') + '.');

    var changed = [];
    if (v.arch.ok && v.arch.value !== p.arch) changed.push('layers');
    ['lr', 'momentum', 'epochs', 'seed', 'optimizer', 'schedule'].concat(AUG_KEYS).forEach(function (f) {
      if (v[f].ok && v[f].value !== p[f]) changed.push(LABELS[f].replace(/ \(.*\)$/, '').toLowerCase());
    });
    if (v.batch.ok && v.batch.value !== p.batch && !(p.batch >= n && v.batch.value >= n)) changed.push('batch size');
    setText('preset-hint', p.arch + '. ' + p.description + (changed.length ? ' Changed here: ' + changed.join(', ') + '.' : ''));
  }

  /* ---- the layer list: the core's description of the layer text ---- */

  function shapeText(ly) {
    return ly.h != null ? ly.h + '×' + ly.w + '×' + ly.c : fmt.int(ly.size);
  }

  function layerWords(ly) {
    if (ly.kind === 'input') return 'input image';
    if (ly.kind === 'conv') {
      return 'convolution ' + ly.kernel + '×' + ly.kernel + (ly.pad ? ' pad ' + ly.pad : '') + ', ' + ly.filters +
        (ly.filters === 1 ? ' filter' : ' filters') + ', ReLU';
    }
    if (ly.kind === 'pool') return 'max-pool ' + ly.kernel + '×' + ly.kernel;
    return ly.activation === 'softmax' ? 'dense, softmax (the classes)' : 'dense, ReLU';
  }

  /** One row per token of the text: its output shape, kind and parameters; the row where
   *  the core found the fault marked with the core's sentence, the rows after it unchecked. */
  function showLayers(d) {
    var list = $('arch-layers');
    if (!list) return;
    var rows = [];
    var count = Math.max(d.tokens.length, d.ok ? 0 : d.at + 1);
    for (var k = 0; k < count; k++) {
      var ly = d.layers[k];
      var li = el('li', 'arch-layer');
      li.setAttribute('data-index', String(k));
      var token = k < d.tokens.length ? d.tokens[k] : '';
      li.appendChild(el('code', 'arch-token', token || '…'));
      if (ly && (d.ok || k < d.at)) {
        li.setAttribute('data-kind', ly.kind);
        li.appendChild(el('span', 'arch-shape', shapeText(ly)));
        li.appendChild(el('span', 'arch-kind', layerWords(ly)));
        li.appendChild(el('span', 'arch-params', ly.params ? fmt.int(ly.params) + ' params' : ''));
      } else if (!d.ok && k === d.at) {
        li.classList.add('is-bad');
        li.setAttribute('aria-invalid', 'true');
        li.appendChild(el('span', 'arch-message', k < d.tokens.length ? d.message : 'missing here: ' + d.message));
      } else {
        li.classList.add('is-unchecked');
        li.appendChild(el('span', 'arch-kind', 'not checked'));
      }
      rows.push(li);
    }
    Dom.fill(list, rows);
    list.setAttribute('data-arch', d.text);
    list.setAttribute('data-state', d.ok ? 'ok' : 'bad');
    setText('arch-total', d.ok ? 'Total: ' + fmt.int(d.params) + ' parameters.' : 'This network cannot be built.');
  }

  /** Asks the core about the field's layer text (now, or after the typing pauses); shows
   *  the answer only if the text is still the field's (a stale answer is dropped). */
  function describeArch(delay) {
    if (!rules || !describer) return;
    clearTimeout(describeTimer);
    var ask = function () {
      var text = archText($('arch').value);
      if (described.text === text) return;
      var seq = ++describeSeq;
      describer(text, function (d) {
        if (seq !== describeSeq || archText($('arch').value) !== text) return;
        d.text = text;
        described = { text: text, d: d };
        showLayers(d);
        // a fault the user has been told about clears as soon as the text is fine
        // and one the user has committed to (Enter, leaving the field) shows at the field
        var told = $('arch').getAttribute('aria-invalid') === 'true' || committed.arch === $('arch').value;
        if (d.ok && told) fieldError('arch', null);
        if (!d.ok && told && !deferErrors) fieldError('arch', d.message);
        if (!d.ok && told && deferErrors) deferred.arch = true;
        refresh();
      });
    };
    if (delay) describeTimer = setTimeout(ask, delay); else ask();
  }

  /** The select fields' options: the core's names. */
  function fillChoices(r) {
    Object.keys(CHOICES).forEach(function (f) {
      Dom.fill($(f), r[CHOICES[f]].map(function (name) {
        var option = el('option', null, CHOICE_WORDS[name] || name);
        option.value = name;
        return option;
      }));
    });
  }
  var CHOICE_WORDS = { sgd: 'SGD', adam: 'Adam', step: 'step decay', onecycle: 'one-cycle' };

  function setRules(r) {
    rules = r;
    fillChoices(r);
    var select = $('preset');
    Dom.fill(select, Object.keys(r.presets).map(function (name) {
      var option = el('option', null, name + ': ' + r.presets[name].expect);
      option.value = name;
      return option;
    }));
    fillPreset(r.presets['default'] ? 'default' : Object.keys(r.presets)[0]);
  }

  function setFieldValue(field, text) {
    $(field).value = text;
    committed[field] = text;
    fieldError(field, null);
    if (field === 'arch') describeArch(0);
    refresh();
  }

  function applyText(field, text) {
    var input = $(field);
    if (CHOICES[field]) {
      var r = checkChoice(field, text);
      if (!r.ok) {
        fieldError(field, r.message);
        return r.message;
      }
      fieldError(field, null);
    }
    input.value = text;
    // as if typed: the field's own checks, the live summaries, the worker if it is live
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
    return input.getAttribute('aria-invalid') === 'true' ? $(field + '-error').textContent : null;
  }

  function peekField(field) {
    var r = check(field, $(field).value);
    return r.ok ? r.value : null;
  }

  /* ---- events ---- */

  /** The augmentation fields, from AUGMENTATION, into #augmentation. */
  function buildAugmentation() {
    var box = $('augmentation');
    AUGMENTATION.forEach(function (a) {
      var field = el('div', 'field');
      var label = el('label', null, a.label);
      label.htmlFor = a.key;
      var input = el('input');
      input.id = a.key;
      input.type = 'text';
      input.inputMode = 'numeric';
      input.autocomplete = 'off';
      input.setAttribute('aria-describedby', a.key + '-hint ' + a.key + '-error');
      var hint = el('p', 'hint', a.hint + ' Changes apply from the next batch.');
      hint.id = a.key + '-hint';
      var error = el('p', 'field-error');
      error.id = a.key + '-error';
      error.hidden = true;
      [label, input, hint, error].forEach(function (e) { field.appendChild(e); });
      box.appendChild(field);
    });
  }

  function init(h) {
    handlers = h || {};
    buildAugmentation();
    $('preset').addEventListener('change', function () {
      fillPreset($('preset').value);
      handlers.onStructureChange('preset');
    });
    FIELDS.forEach(function (f) {
      var input = $(f);
      // While typing: clear a message as soon as the value is fine (never nag mid-word).
      input.addEventListener('input', function () {
        if (input.getAttribute('aria-invalid') === 'true' && check(f, input.value).ok) fieldError(f, null);
        if (f === 'arch') describeArch(DESCRIBE_DELAY);
        refresh();
      });
      input.addEventListener('change', function () {
        // Leaving the field by pressing a button: showing the message now would move the
        // button away between press and release and lose the click. Show it after.
        if (f === 'arch') describeArch(0);
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
    FIELDS: FIELDS,
    AUGMENTATION: AUGMENTATION,
    init: init,
    setDescriber: function (fn) { describer = fn; describeArch(0); },
    setRules: setRules,
    hasPreset: function (name) { return !!(rules && Object.prototype.hasOwnProperty.call(rules.presets, name)); },
    presetNames: function () { return rules ? Object.keys(rules.presets) : []; },
    fillPreset: fillPreset,
    readConfig: readConfig,
    fieldError: fieldError,
    setFieldValue: setFieldValue,
    applyText: applyText,
    peekField: peekField,
    refresh: refresh
  };
})();
