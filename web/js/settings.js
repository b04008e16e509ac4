/* settings.js - the run's settings in the page's URL (one job: a link reproduces a run).
 *
 * ?dataset=mnist&preset=default&arch=128&init=he&seed=1&optimizer=adam&...&shift=2: the
 * dataset, the preset and every setting of the core's table (Form.keys(): rules.settings, in
 * its order), so a setting the table gains is in the address with no edit here.
 * Opening such a link fills the fields (the preset first, then what the link changes);
 * every change of a field rewrites the address (history.replaceState, so Back still
 * leaves the page) and the #share-url box; #copy-link copies it. Other parameters
 * (e.g. ?data=) are kept as they are.
 *
 * Exports:
 *   params()               ['dataset', 'preset', ...every setting's key] (once the form has its rules)
 *   init()                 binds #copy-link and the fields' change events
 *   fromUrl() -> {values: {name: text}}   every parameter of the address
 *   known(values) -> {name: text}   those of params() only
 *   applyDataset(values) -> [{name, message}]   selects the dataset; lists a value it refused
 *   apply(values) -> [{name, message}]   fills the preset and the fields (once the form has its
 *                          rules); lists the values it refused
 *   current() -> {name: text}   the settings as the fields hold them
 *   link() -> string       the address of the current settings
 *   sync()                 rewrites the address and #share-url from the fields
 */
import * as Form from './form.js';
import { $ } from './dom.js';

const params = () => ['dataset', 'preset'].concat(Form.keys());

function search() {
  try {
    return new URLSearchParams(location.search);
  } catch (e) {
    return new URLSearchParams();
  }
}

function fromUrl() {
  const values = {};
  search().forEach((value, name) => { if (!(name in values)) values[name] = value; });
  return { values };
}

function known(values) {
  const out = {};
  params().forEach((name) => { if (values[name] != null) out[name] = values[name]; });
  return out;
}

function hasOption(select, value) {
  return Array.prototype.some.call(select.options, function (o) { return o.value === value; });
}

/** Fills the fields from `values`; a value a field refuses stays in the field, marked
 *  with its message (the user sees what the link said), and is listed. */
function applyDataset(values) {
  if (values.dataset == null) return [];
  if (hasOption($('dataset'), values.dataset)) {
    $('dataset').value = values.dataset;
    return [];
  }
  return [{ name: 'dataset', message: 'unknown dataset "' + values.dataset + '" (mnist or fashion-mnist)' }];
}

/** The preset and the fields: once the form has the core's rules. */
function apply(values) {
  const refused = [];
  if (values.preset != null) {
    if (Form.hasPreset(values.preset)) Form.fillPreset(values.preset);
    else refused.push({ name: 'preset', message: `unknown preset "${values.preset}" (${Form.presetNames().join(', ')})` });
  }
  Form.keys().forEach((name) => {
    if (values[name] == null) return;
    const message = Form.applyText(name, values[name]);
    if (message) refused.push({ name, message });
  });
  return refused;
}

function current() {
  const out = { dataset: $('dataset').value, preset: $('preset').value };
  Form.keys().forEach((name) => { out[name] = $(name).value.trim(); });
  return out;
}

function link() {
  const names = params();
  const values = current();
  const out = new URLSearchParams();
  names.forEach((name) => { out.set(name, values[name]); });
  search().forEach((value, name) => { if (names.indexOf(name) < 0) out.append(name, value); });
  const base = location.href.replace(/[?#].*$/, '');
  // Readable links: keep "-" and "," in the architecture unescaped.
  return `${base}?${out.toString().replace(/%2C/gi, ',')}`;
}

function sync() {
  var url = link();
  var box = $('share-url');
  if (box && box.value !== url) box.value = url;
  try {
    if (url !== location.href) history.replaceState(history.state, '', url);
  } catch (e) {
    // Some browsers refuse to rewrite file:// addresses; the box and the button still work.
  }
}

function copied(text, kind) {
  var hint = $('share-hint');
  if (!hint) return;
  hint.textContent = text;
  hint.setAttribute('data-kind', kind || 'info');
}

function copy() {
  sync();
  var url = link();
  var box = $('share-url');
  var fallback = function () {
    // No clipboard access (e.g. an insecure origin): select the link for Ctrl+C.
    box.focus();
    box.select();
    copied('Selected: press Ctrl+C (⌘C) to copy the link.', 'warn');
  };
  if (navigator.clipboard && typeof navigator.clipboard.writeText === 'function') {
    navigator.clipboard.writeText(url).then(function () {
      copied('Link copied: opening it sets up this run.', 'ok');
    }, fallback);
  } else {
    fallback();
  }
}

function init() {
  $('copy-link').addEventListener('click', copy);
  $('config').addEventListener('change', sync);
  $('dataset').addEventListener('change', sync);
  $('share-url').addEventListener('focus', function () { $('share-url').select(); });
  sync();
}

export { params, init, fromUrl, known, applyDataset, apply, current, link, sync };
