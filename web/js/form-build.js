/* form-build.js - the settings form's markup, made from the core's table (one job). One
 * field per row of rules.settings, in the table's order, in one fieldset per `group`: its
 * label (tied to the control), a select of the row's choices or a text input (a number
 * keypad on phones), its hint and its error box (both named by aria-describedby). The
 * architecture's field is the layer text between the fixed input and output, with the core's
 * layer list under it (arch-layers.js fills #arch-layers and #arch-total). The rarely changed
 * fields (form-words.js) stay hidden until the "show every setting" box is ticked. When a
 * change applies (at once, or at Reset: the row's `hyper`) is said once per group if the same
 * for all its fields, else in each field's hint.
 *
 * Exports:
 *   buildFields(box, rules)   fills box (#setting-fields) once
 *   showRare(show)            shows (or hides) the rarely changed fields, and ticks the box so
 */
import { $, el } from './dom.js';
import { choiceWords, groupWords, hint, label, rare, whenWords } from './form-words.js';

const RARE_BOX = 'more-settings';

function control(row) {
  if (row.kind === 'choice') {
    const select = el('select');
    row.choices.forEach((name) => {
      const option = el('option', null, choiceWords(name));
      option.value = name;
      select.appendChild(option);
    });
    return select;
  }
  const input = el('input');
  input.type = 'text';
  input.autocomplete = 'off';
  input.spellcheck = false;
  if (row.kind !== 'arch') input.inputMode = row.integer ? 'numeric' : 'decimal';
  return input;
}

/** The layer text between the fixed input and output, as the core's text has them. */
function archInput(input, rules) {
  const box = el('div', 'arch-input');
  const first = el('span', 'arch-fixed', `${rules.pixels} –`);
  first.title = `${rules.pixels} input pixels`;
  const last = el('span', 'arch-fixed', `– ${rules.classes}`);
  last.title = `${rules.classes} classes`;
  box.append(first, input, last);
  return box;
}

/** groupNote: the id of the group's note on when a change applies, or null (the hint says it). */
function field(row, rules, groupNote) {
  const key = row.key;
  const box = el('div', row.kind === 'arch' ? 'field field-wide' : 'field');
  box.id = `${key}-field`;
  const input = control(row);
  input.id = key;
  input.dataset.setting = key;
  input.setAttribute('aria-describedby', `${key}-hint ${groupNote ? `${groupNote} ` : ''}${key}-error`);
  const name = el('label', null, label(row));
  name.htmlFor = key;
  const help = el('p', 'hint', hint(row, rules, !groupNote));
  help.id = `${key}-hint`;
  const error = el('p', 'field-error');
  error.id = `${key}-error`;
  error.hidden = true;
  box.append(name, row.kind === 'arch' ? archInput(input, rules) : input, help, error);
  if (row.kind === 'arch') {
    // the network's size in words (form-summary.js), then the core's layer list
    help.append(' ', el('span', null, ''));
    help.lastChild.id = `${key}-summary`;
    const layers = el('ol', 'arch-layers');
    layers.id = 'arch-layers';
    layers.setAttribute('aria-label', 'The layers: output shape, kind, parameters');
    layers.setAttribute('aria-live', 'polite');
    const total = el('p', 'hint');
    total.id = 'arch-total';
    box.append(layers, total);
  }
  if (rare(row)) {
    box.classList.add('rare');
    box.hidden = true;
  }
  return box;
}

/** The box that shows the rarely changed fields; null when there are none. */
function rareBox(rows) {
  const list = rows.filter(rare);
  if (!list.length) return null;
  const p = el('p', 'more-settings');
  const tick = el('input');
  tick.type = 'checkbox';
  tick.id = RARE_BOX;
  tick.setAttribute('aria-controls', list.map((row) => `${row.key}-field`).join(' '));
  tick.addEventListener('change', () => showRare(tick.checked));
  const words = el('label', null, ` Show every setting (also ${list.map((row) => row.words).join(', ')})`);
  words.htmlFor = RARE_BOX;
  p.append(tick, words);
  return p;
}

/** The rows in runs of one group each: [[row, ...], ...] in the table's order. */
function runs(rows) {
  const out = [];
  rows.forEach((row) => {
    const last = out[out.length - 1];
    if (last && last[0].group === row.group) last.push(row); else out.push([row]);
  });
  return out;
}

/** One fieldset per run of rows of the same group, so the fields keep the table's order; when
 *  a change applies is said once under the legend when it is the same for the whole run. */
export function buildFields(box, rules) {
  if (box.childElementCount) return;
  const more = rareBox(rules.settings);
  if (more) box.appendChild(more);
  runs(rules.settings).forEach((list, k) => {
    const set = el('fieldset', 'setting-group');
    set.dataset.group = list[0].group;
    set.appendChild(el('legend', null, groupWords(list[0].group)));
    let noteId = null;
    if (list.every((row) => row.hyper === list[0].hyper)) {
      const note = el('p', 'hint group-note', whenWords(list[0].hyper));
      noteId = note.id = `settings-note-${k + 1}`;
      set.appendChild(note);
    }
    const grid = el('div', 'field-grid');
    list.forEach((row) => grid.appendChild(field(row, rules, noteId)));
    set.appendChild(grid);
    box.appendChild(set);
  });
}

export function showRare(show) {
  const tick = $(RARE_BOX);
  if (!tick) return;
  tick.checked = show;
  document.querySelectorAll('#setting-fields .field.rare').forEach((f) => { f.hidden = !show; });
}
