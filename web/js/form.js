/* form.js - the settings form (one job: its fields on the page: fill them from a preset,
 * read and validate them, show their errors, and report their changes). What a field
 * accepts and what each preset sets are the core's rules (the worker's `ready` brings
 * them: the presets in display order with their descriptions, the fields' limits, the
 * optimisers and schedules; the checks: form-fields.js). The layer text's layers and
 * faults are the core's too (mnist_arch_describe, asked through the describer a
 * controller plugs in; shown by arch-layers.js). The hints: form-summary.js. Until
 * setRules() the form is empty and nothing validates.
 *
 * Exports:
 *   FIELDS, AUGMENTATION        (form-fields.js) the fields' keys; the augmentation fields
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
 */
import { $, el, fill } from './dom.js';
import * as fmt from './format.js';
import * as Store from './store.js';
import { AUGMENTATION, AUG_KEYS, CHOICES, FIELDS, HYPER, archText, middle, check, checkChoice } from './form-fields.js';
import { showLayers } from './arch-layers.js';
import { showSummary } from './form-summary.js';

export { FIELDS, AUGMENTATION };

const DESCRIBE_DELAY = 120; // ms after the last keystroke before the core is asked about the layers
const CHOICE_WORDS = { sgd: 'SGD', adam: 'Adam', step: 'step decay', onecycle: 'one-cycle' };

let rules = null;
let handlers = {};
let basePreset = '';
const committed = {};   // field -> the value last acted on (change events may repeat)
let deferErrors = false; // a button is being pressed
let deferred = {};       // fields whose message waits for that press to end
let describer = null;    // fn(archText, done): the core's description of a layer text
let described = { text: null, d: null }; // the latest description shown
let describeSeq = 0;
let describeTimer = null;

const checkField = (field, text) => check(rules, field, text, described);

export function fieldError(field, message) {
  const input = $(field);
  const box = $(`${field}-error`);
  if (!input || !box) return;
  box.textContent = message || '';
  box.hidden = !message;
  // a message in the folded settings (a phone) opens them, so that it is seen
  const folded = message ? input.closest('details:not([open])') : null;
  if (folded) folded.open = true;
  if (message) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
}

function validateField(field, show) {
  const r = checkField(field, $(field).value);
  if (show !== false) fieldError(field, r.ok ? null : r.message);
  return r;
}

export function readConfig(quiet) {
  const p = rules.presets[basePreset];
  const values = {};
  const errors = [];
  FIELDS.forEach((f) => {
    const r = validateField(f, !quiet);
    if (r.ok) values[f] = r.value; else errors.push({ field: f, message: r.message });
  });
  if (errors.length) {
    const first = quiet ? null : $(errors[0].field);
    if (first && document.activeElement !== first) first.focus();
    return { ok: false, errors, config: null };
  }
  const config = {
    preset: basePreset, arch: values.arch, init: p.init, seed: values.seed, batch: values.batch, lr: values.lr,
    momentum: values.momentum, weightDecay: p.weightDecay, lrDecay: p.lrDecay, epochs: values.epochs,
    iterations: 0, // the form has no such field: its epochs are the whole run
    optimizer: values.optimizer, schedule: values.schedule,
    beta1: p.beta1, beta2: p.beta2, eps: p.eps // the preset's, as the form has no fields for them
  };
  AUG_KEYS.forEach((k) => { config[k] = values[k]; });
  return { ok: true, errors: [], config };
}

export function fillPreset(name) {
  const p = rules.presets[name];
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
  AUG_KEYS.forEach((k) => { $(k).value = String(p[k]); });
  FIELDS.forEach((f) => {
    fieldError(f, null);
    committed[f] = $(f).value;
  });
  describeArch(0);
  refresh();
}

export function refresh() {
  if (!rules) return;
  const v = {};
  FIELDS.forEach((f) => { v[f] = checkField(f, $(f).value); });
  const d = described.text === v.arch.value ? described.d : null;
  showSummary(rules.presets[basePreset], v, d, Store.get().trainCount);
}

/** The core's description of the field's layer text arrived: the layer list, and the
 *  field's message when the user has been told about the text or committed to it. */
function onDescription(text, d) {
  d.text = text;
  described = { text, d };
  showLayers(d);
  // a fault the user has been told about clears as soon as the text is fine
  // and one the user has committed to (Enter, leaving the field) shows at the field
  const told = $('arch').getAttribute('aria-invalid') === 'true' || committed.arch === $('arch').value;
  if (d.ok && told) fieldError('arch', null);
  if (!d.ok && told && !deferErrors) fieldError('arch', d.message);
  if (!d.ok && told && deferErrors) deferred.arch = true;
  refresh();
}

/** Asks the core about the field's layer text (now, or after the typing pauses); shows
 *  the answer only if the text is still the field's (a stale answer is dropped). */
function describeArch(delay) {
  if (!rules || !describer) return;
  clearTimeout(describeTimer);
  const ask = () => {
    const text = archText(rules, $('arch').value);
    if (described.text === text) return;
    const seq = ++describeSeq;
    describer(text, (d) => {
      if (seq === describeSeq && archText(rules, $('arch').value) === text) onDescription(text, d);
    });
  };
  if (delay) describeTimer = setTimeout(ask, delay); else ask();
}

export function setDescriber(fn) {
  describer = fn;
  describeArch(0);
}

function options(names, words) {
  return names.map((name) => {
    const option = el('option', null, words(name));
    option.value = name;
    return option;
  });
}

export function setRules(r) {
  rules = r;
  Object.keys(CHOICES).forEach((f) => fill($(f), options(r[CHOICES[f]], (name) => CHOICE_WORDS[name] || name)));
  fill($('preset'), options(Object.keys(r.presets), (name) => `${name}: ${r.presets[name].expect}`));
  fillPreset(r.presets.default ? 'default' : Object.keys(r.presets)[0]);
}

export function hasPreset(name) { return !!(rules && Object.prototype.hasOwnProperty.call(rules.presets, name)); }

export function presetNames() { return rules ? Object.keys(rules.presets) : []; }

export function setFieldValue(field, text) {
  $(field).value = text;
  committed[field] = text;
  fieldError(field, null);
  if (field === 'arch') describeArch(0);
  refresh();
}

export function applyText(field, text) {
  const input = $(field);
  if (CHOICES[field]) {
    const r = checkChoice(rules, field, text);
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
  return input.getAttribute('aria-invalid') === 'true' ? $(`${field}-error`).textContent : null;
}

export function peekField(field) {
  const r = checkField(field, $(field).value);
  return r.ok ? r.value : null;
}

/* ---- events ---- */

/** The augmentation fields, from AUGMENTATION, into #augmentation. */
function buildAugmentation() {
  const box = $('augmentation');
  AUGMENTATION.forEach((a) => {
    const field = el('div', 'field');
    const label = el('label', null, a.label);
    label.htmlFor = a.key;
    const input = el('input');
    input.id = a.key;
    input.type = 'text';
    input.inputMode = 'numeric';
    input.autocomplete = 'off';
    input.setAttribute('aria-describedby', `${a.key}-hint ${a.key}-error`);
    const hint = el('p', 'hint', `${a.hint} Changes apply from the next batch.`);
    hint.id = `${a.key}-hint`;
    const error = el('p', 'field-error');
    error.id = `${a.key}-error`;
    error.hidden = true;
    field.append(label, input, hint, error);
    box.appendChild(field);
  });
}

/** A field changed (left, Enter, or set by applyText): check it, and act on a new value. */
function onChange(f, input) {
  // Leaving the field by pressing a button: showing the message now would move the
  // button away between press and release and lose the click. Show it after.
  if (f === 'arch') describeArch(0);
  const r = validateField(f, !deferErrors);
  if (deferErrors && !r.ok) deferred[f] = true;
  refresh();
  if (!r.ok || committed[f] === input.value) return;
  committed[f] = input.value;
  if (HYPER.indexOf(f) >= 0) handlers.onHyper({ [f]: r.value });
  else handlers.onStructureChange(f);
}

function bindField(f) {
  const input = $(f);
  // While typing: clear a message as soon as the value is fine (never nag mid-word).
  input.addEventListener('input', () => {
    if (input.getAttribute('aria-invalid') === 'true' && checkField(f, input.value).ok) fieldError(f, null);
    if (f === 'arch') describeArch(DESCRIBE_DELAY);
    refresh();
  });
  input.addEventListener('change', () => onChange(f, input));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }
  });
}

/** While a button is pressed, the fields' messages wait until it is released (see onChange). */
function deferErrorsWhilePressing() {
  document.addEventListener('pointerdown', (e) => {
    if (e.target && e.target.closest && e.target.closest('button')) deferErrors = true;
  }, true);
  const release = () => {
    if (!deferErrors) return;
    setTimeout(() => {
      deferErrors = false;
      Object.keys(deferred).forEach((f) => validateField(f, true));
      deferred = {};
    }, 0);
  };
  document.addEventListener('pointerup', release, true);
  document.addEventListener('pointercancel', release, true);
}

export function init(h) {
  handlers = h || {};
  buildAugmentation();
  $('preset').addEventListener('change', () => {
    fillPreset($('preset').value);
    handlers.onStructureChange('preset');
  });
  FIELDS.forEach(bindField);
  deferErrorsWhilePressing();
}
