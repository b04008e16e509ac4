/* form-words.js - how the page words the settings (one job). What a setting is called, what
 * it does, its group and whether a run can change it are the core's table (rules.settings:
 * `words`, `help`, `group`, `hyper`); this module turns them into the form's labels, hints
 * and legends, and adds the page's own extras where it has them, keyed by the setting's key
 * (a unit, a note, a value in words, whether the setting is a rarely changed one). Every
 * extra is optional: a setting the table adds shows with its table words and help.
 *
 * Exports:
 *   label(row)                 the field's label: the table's words, capitalised (with a unit)
 *   hint(row, rules, own)      the field's hint: the table's help as a sentence, the page's note,
 *                              and (own) when a change applies
 *   whenWords(hyper)           when a change applies: from the next batch (hyper) or at Reset
 *   groupWords(group)          a group's legend
 *   rare(row)                  a rarely changed setting (shown with "Show every setting")
 *   takesFull(row)             the field also takes "full" (or "all"): the training set's size
 *   choiceWords(name)          a choice's name in words: 'adam' -> 'Adam'
 *   valueWords(row, value, trainCount)   a setting's value in words: "learning rate 0.05",
 *                              "images shifted by up to 2 pixels", "no shifts"
 */
import * as fmt from './format.js';

const EXTRAS = {
  arch: { note: (r) => `Here the ${r.pixels} inputs and the ${r.classes} outputs are fixed: type the layers between, ` +
    'e.g. 128, 256-128 or c16k3-p2-c32k3-p2-64.' },
  init: { rare: true },
  optimizer: { note: () => 'Changing it while training starts the new optimiser from zero (its momentum or moments are reset).',
    says: (v) => `${choiceWords(v)} (its state starts from zero)` },
  batch: { full: true, note: () => 'Type "full" for the whole training set.' },
  iterations: { rare: true },
  weightDecay: { rare: true },
  lrDecay: { rare: true },
  beta1: { rare: true },
  beta2: { rare: true },
  eps: { rare: true },
  shift: { unit: 'pixels', off: 'no shifts', says: (v) => `images shifted by up to ${v}${v === 1 ? ' pixel' : ' pixels'}` },
  rotate: { unit: 'degrees', off: 'no turns', says: (v) => `images turned by up to ${fmt.num(v)}°` },
  scale: { off: 'no scaling', says: (v) => `images scaled by up to ±${fmt.num(Math.round(v * 1000) / 10)}%` }
};
const GROUPS = { augmentation: 'Augmentation (training images only)' };
const CHOICES = { sgd: 'SGD', adam: 'Adam', step: 'step decay', onecycle: 'one-cycle', he: 'He-uniform',
  seed: "the notebook's U(−0.5, 0.5)" };

const extra = (row) => EXTRAS[row.key] || {};
const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);
/** The table's help as a sentence: capitalised, unless it starts with one of the row's names
 *  ('sgd (SGD with momentum) or adam ...'), and ended with a full stop. */
function sentence(row) {
  const text = row.help.trim();
  const named = (row.choices || []).some((name) => text.startsWith(`${name} `));
  return (named ? text : capital(text)).replace(/([^.!?])$/, '$1.');
}

export function label(row) {
  const unit = extra(row).unit;
  return capital(row.words) + (unit ? ` (${unit})` : '');
}

/** own: the hint says when a change applies (else its group's note says it for all). */
export function hint(row, rules, own) {
  const note = extra(row).note;
  return [sentence(row), note ? note(rules) : '', own ? whenWords(row.hyper) : ''].filter(Boolean).join(' ');
}

/** When a change of a setting applies: at once for one a run can change, else at Reset. */
export function whenWords(hyper) {
  return hyper ? 'While training, a change applies from the next batch.'
    : 'While training, a change takes effect when you press Reset.';
}

export function groupWords(group) { return GROUPS[group] || capital(group); }

export function rare(row) { return !!extra(row).rare; }

export function takesFull(row) { return !!extra(row).full; }

export function choiceWords(name) { return CHOICES[name] || name; }

export function valueWords(row, value, trainCount) {
  const x = extra(row);
  if (x.off && !value) return x.off;
  if (x.says) return x.says(value);
  if (x.full && value >= trainCount) return `batch full (${fmt.int(value)})`;
  const text = row.kind === 'choice' ? choiceWords(value) : typeof value === 'number' ? fmt.num(value) : String(value);
  return `${row.words} ${text}`;
}
