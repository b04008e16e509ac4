/* form-fields.js - the settings form's fields and their checks (one job: what each field
 * is called and accepts). What a field accepts is the core's rules (the worker's `ready`
 * brings them): every number field's min/max and integer rule, the optimisers and
 * schedules; the layer text's faults are the core's description (mnist_arch_describe).
 * No DOM here: the values come in as text.
 *
 * Exports:
 *   AUGMENTATION        the augmentation fields (one entry each; see below)
 *   AUG_KEYS, FIELDS    their keys; every field's key (= config key = address parameter)
 *   HYPER               the fields that change while training (the others need a Reset)
 *   CHOICES             the select fields: {field: the key of its names in the rules}
 *   LABELS              {field: its label}
 *   archText(rules, text)        the core's architecture text of what the layer field holds
 *   middle(arch)                 the layers between the input and the output: "c16k3-p2-64"
 *   checkChoice(rules, field, text)            -> {ok, value} | {ok: false, message}
 *   check(rules, field, text, described)       -> the same, for any field; described: the
 *                                  core's latest description of a layer text ({text, d})
 */
import * as fmt from './format.js';
import * as Store from './store.js';

/* The augmentation fields, one entry each: a setting of the core's hyperparameters
 * (`key`: the config and hyper key, the address parameter and the field's id; its limits
 * are rules.limits[key]) that changes while training; `says` its value in words, `off`
 * the words for 0 (the run's summary and the note after a live change use them). Another
 * augmentation is one more entry here: the field, its check, the preset's value, the
 * address and the run's summary follow. */
export const AUGMENTATION = [
  { key: 'shift', off: 'no shifts', label: 'Shift (pixels)', hint: 'Each training image moved by up to this many pixels (0: off).',
    says: (v) => `images shifted by up to ${v}${v === 1 ? ' pixel' : ' pixels'}` },
  { key: 'rotate', off: 'no turns', label: 'Rotation (degrees)', hint: 'Each training image turned by up to this many degrees either way (0: off).',
    says: (v) => `images turned by up to ${fmt.num(v)}°` },
  { key: 'scale', off: 'no scaling', label: 'Scaling', hint: 'Each training image scaled by up to this fraction either way, e.g. 0.1 = ±10% (0: off).',
    says: (v) => `images scaled by up to ±${fmt.num(Math.round(v * 1000) / 10)}%` }
];
export const AUG_KEYS = AUGMENTATION.map((a) => a.key);
export const CHOICES = { optimizer: 'optimizers', schedule: 'schedules' };
export const FIELDS = ['arch', 'lr', 'momentum', 'batch', 'epochs', 'seed', 'optimizer', 'schedule'].concat(AUG_KEYS);
// change while training (an optimiser change starts it from zero state); the others need a Reset
export const HYPER = ['lr', 'batch', 'momentum', 'optimizer'].concat(AUG_KEYS);
export const LABELS = { lr: 'Learning rate', momentum: 'Momentum', batch: 'Batch size', epochs: 'Epochs', seed: 'Seed',
  optimizer: 'Optimiser', schedule: 'Schedule' };
AUGMENTATION.forEach((a) => { LABELS[a.key] = a.label; });

const trainCount = () => Store.get().trainCount;

/** "0.1", "1e-3", "0,05" -> number, or NaN. */
function parseNumber(text) {
  let t = String(text == null ? '' : text).trim().replace(/\s+/g, '');
  if (/^[+-]?\d*,\d+$/.test(t)) t = t.replace(',', '.');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return NaN;
  return Number(t);
}

function parseInteger(text) {
  const t = String(text == null ? '' : text).trim().replace(/[,_\s](?=\d{3}\b)/g, '');
  if (!/^\+?\d+$/.test(t)) return NaN;
  return Number(t);
}

/** The core's architecture text of what the field holds: "128", "256-128", "256, 128",
 *  "c16k3-p2-64", "" (no hidden layer), also a full "784-128-10", become "784-...-10".
 *  The core checks the rest (mnist_arch_describe: the layer list shows its verdict). */
export function archText(rules, text) {
  const t = String(text == null ? '' : text).trim().toLowerCase();
  let parts = t === '' ? [] : t.split(/\s*[-,x×\s]\s*/).filter((p) => p !== '');
  if (parts.length >= 3 && parts[0] === String(rules.pixels) && parts[parts.length - 1] === String(rules.classes)) {
    parts = parts.slice(1, -1);
  }
  return [rules.pixels].concat(parts, [rules.classes]).join('-');
}

export function middle(arch) { return arch.split('-').slice(1, -1).join('-'); }

/** The sentence for a value outside `lim` ({min, max, integer, minExclusive, maxExclusive}). */
function rangeMessage(label, lim, tooLow) {
  if (lim.integer) return `${label} must be a whole number from ${fmt.int(lim.min)} to ${fmt.int(lim.max)}`;
  if (lim.minExclusive) {
    return tooLow ? `${label} must be a number > ${fmt.num(lim.min)}` : `${label} must be at most ${fmt.num(lim.max)}`;
  }
  return `${label} must be a number from ${fmt.num(lim.min)}${lim.maxExclusive ? ' up to (not including) ' : ' to '}` +
    fmt.num(lim.max);
}

/** A number field checked against the core's limits. */
function checkNumber(rules, field, text) {
  const lim = rules.limits[field];
  const t = String(text).trim().toLowerCase();
  if (field === 'batch' && (t === 'full' || t === 'all')) return { ok: true, value: trainCount() };
  const n = lim.integer ? parseInteger(t) : parseNumber(t);
  const tooLow = !isFinite(n) || (lim.minExclusive ? !(n > lim.min) : !(n >= lim.min));
  const tooHigh = lim.maxExclusive ? n >= lim.max : n > lim.max;
  if (!tooLow && !tooHigh) return { ok: true, value: n };
  return { ok: false, message: rangeMessage(LABELS[field], lim, tooLow) +
    (field === 'batch' ? ` (${fmt.int(trainCount())} or more = full batch)` : '') };
}

/** A select's value: one of the core's names. */
export function checkChoice(rules, field, text) {
  const names = rules[CHOICES[field]];
  if (names.indexOf(text) >= 0) return { ok: true, value: text };
  return { ok: false, message: `${LABELS[field]} must be ${names.join(' or ')}, not "${text}"` };
}

/** The layers: the core's text; a fault the core found in that very text (once its
 *  description is in: until then the worker's configure is the check). */
function checkArch(rules, text, described) {
  const value = archText(rules, text);
  if (described.text === value && !described.d.ok) return { ok: false, message: described.d.message };
  return { ok: true, value };
}

export function check(rules, field, text, described) {
  if (!rules) return { ok: false, message: '' }; // nothing to check against yet
  if (field === 'arch') return checkArch(rules, text, described);
  if (CHOICES[field]) return checkChoice(rules, field, text);
  return checkNumber(rules, field, text);
}
