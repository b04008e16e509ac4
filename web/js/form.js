/* form.js - the settings form (one job: its fields on the page: fill them from a preset,
 * read and validate them, show their errors, and report their changes). The fields are the
 * core's settings table (rules.settings, which the worker's `ready` brings), one per row in
 * its order (form-build.js makes them; form-fields.js checks them; form-words.js words them);
 * the presets are the rules' too, in display order with their descriptions. A field whose row
 * says `hyper` changes the running network; the others need a Reset. The layer text's layers
 * and faults are the core's (mnist_arch_describe, asked through the describer a controller
 * plugs in; shown by arch-layers.js). The hints: form-summary.js. Until setRules() the form
 * is empty and nothing validates.
 *
 * Exports:
 *   init({onHyper(partialHyper), onStructureChange(what, words)})   binds the preset picker;
 *                               what: 'preset' or the key of a field a run cannot change
 *   setDescriber(fn(archText, done(description)))   how to ask the core about a layer text
 *   setRules(rules)             makes the fields and the preset list; fills the default preset
 *   keys()                      every field's key (= config key = address parameter), in order
 *   hasPreset(name), presetNames()
 *   fillPreset(name)            fills the fields from a preset
 *   readConfig(quiet)           validates every field (inline messages unless quiet; focuses the
 *                               first bad one) -> {ok, config: {key: value} of every field
 *                               and the preset's `target` if it has one, errors: [{field, message}]}
 *   fieldError(field, message)  shows (or with no message clears) an inline error
 *   setFieldValue(field, text)  sets a field without acting on it (e.g. a loaded model's layers)
 *   applyText(field, text)      sets a field as if the user typed it (and acts on it)
 *                               -> the field's message if it refuses the text, else null
 *   peekField(field)            its value if valid, else null; shows nothing
 *   refresh()                   the hints again (the training-set size changed)
 */
import { $, el, fill } from './dom.js';
import * as Store from './store.js';
import { archText, check, rowOf, valueText } from './form-fields.js';
import { buildFields, showRare } from './form-build.js';
import { showLayers } from './arch-layers.js';
import { showSummary } from './form-summary.js';

const DESCRIBE_DELAY = 120; // ms after the last keystroke before the core is asked about the layers

let rules = null;
let rows = [];           // rules.settings: one field each, in order
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

export const keys = () => rows.map((row) => row.key);

export function fieldError(field, message) {
  const input = $(field);
  const box = $(`${field}-error`);
  if (!input || !box) return;
  box.textContent = message || '';
  box.hidden = !message;
  // a message in a folded or hidden part (a phone; a rarely changed field) opens it, so that it is seen
  const folded = message ? input.closest('details:not([open])') : null;
  if (folded) folded.open = true;
  if (message && input.closest('.field').hidden) showRare(true);
  if (message) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
}

function validateField(field, show) {
  const r = checkField(field, $(field).value);
  if (show !== false) fieldError(field, r.ok ? null : r.message);
  return r;
}

export function readConfig(quiet) {
  const config = {};
  const errors = [];
  keys().forEach((f) => {
    const r = validateField(f, !quiet);
    if (r.ok) config[f] = r.value; else errors.push({ field: f, message: r.message });
  });
  if (errors.length) {
    const first = quiet ? null : $(errors[0].field);
    if (first && document.activeElement !== first) first.focus();
    return { ok: false, errors, config: null };
  }
  // the preset's target goes with its settings: the worker watches for it (PROTOCOL.md "config")
  if (presetTarget() > 0) config.target = presetTarget();
  return { ok: true, errors: [], config };
}

export function fillPreset(name) {
  const p = rules.presets[name];
  if (!p) return;
  basePreset = name;
  $('preset').value = name;
  rows.forEach((row) => {
    $(row.key).value = valueText(row, p[row.key]);
    fieldError(row.key, null);
    committed[row.key] = $(row.key).value;
  });
  describeArch(0);
  refresh();
}

export function refresh() {
  if (!rules) return;
  const v = {};
  keys().forEach((f) => { v[f] = checkField(f, $(f).value); });
  const d = described.text === v.arch.value ? described.d : null;
  showSummary(rows, rules.presets[basePreset], v, d, Store.get().trainCount);
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
  rows = r.settings;
  buildFields($('setting-fields'), r);
  keys().forEach(bindField);
  fill($('preset'), options(Object.keys(r.presets), (name) => `${name}: ${r.presets[name].expect}`));
  fillPreset(r.presets.default ? 'default' : Object.keys(r.presets)[0]);
}

export function hasPreset(name) { return !!(rules && Object.prototype.hasOwnProperty.call(rules.presets, name)); }

export function presetNames() { return rules ? Object.keys(rules.presets) : []; }

/** The test accuracy the preset the fields came from is known to reach (its `target`; 0: none). */
function presetTarget() { return rules && rules.presets[basePreset] ? rules.presets[basePreset].target || 0 : 0; }

export function setFieldValue(field, text) {
  $(field).value = text;
  committed[field] = text;
  fieldError(field, null);
  if (field === 'arch') describeArch(0);
  refresh();
}

export function applyText(field, text) {
  const input = $(field);
  if (input.closest('.field').hidden) showRare(true); // a rarely changed field the user set: shown
  if (input.tagName === 'SELECT') {
    const r = checkField(field, text);
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
  const row = rowOf(rules, f);
  if (row.hyper) handlers.onHyper({ [f]: r.value });
  else handlers.onStructureChange(f, row.words);
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
  $('preset').addEventListener('change', () => {
    fillPreset($('preset').value);
    handlers.onStructureChange('preset');
  });
  deferErrorsWhilePressing();
}
