/* form-fields.js - the settings form's checks (one job: what each field accepts). Every
 * field is a row of the core's settings table (rules.settings, which the worker's `ready`
 * brings): a number's min/max, integer and exclusive bounds, a choice's names come from its
 * row; the layer text's faults are the core's description (mnist_arch_describe). No DOM
 * here: the values come in as text.
 *
 * Exports:
 *   rowOf(rules, key)             the table's row of a setting (undefined if none)
 *   archText(rules, text)         the core's architecture text of what the layer field holds
 *   middle(arch)                  the layers between the input and the output: "c16k3-p2-64"
 *   valueText(row, value)         a setting's value as its field shows it
 *   check(rules, key, text, described)   -> {ok, value} | {ok: false, message}; described:
 *                                 the core's latest description of a layer text ({text, d})
 */
import * as fmt from './format.js';
import * as Store from './store.js';
import { label, takesFull } from './form-words.js';

const trainCount = () => Store.get().trainCount;

export const rowOf = (rules, key) => rules.settings.find((s) => s.key === key);

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

export function valueText(row, value) {
  if (row.kind === 'arch') return middle(String(value));
  return String(value);
}

/** The sentence for a value outside the row's range. */
function rangeMessage(row, tooLow) {
  const name = label(row);
  if (row.integer) return `${name} must be a whole number from ${fmt.int(row.min)} to ${fmt.int(row.max)}`;
  if (row.minExclusive) {
    return tooLow ? `${name} must be a number > ${fmt.num(row.min)}` : `${name} must be at most ${fmt.num(row.max)}`;
  }
  return `${name} must be a number from ${fmt.num(row.min)}${row.maxExclusive ? ' up to (not including) ' : ' to '}` +
    fmt.num(row.max);
}

/** A number field checked against its row. */
function checkNumber(row, text) {
  const t = String(text).trim().toLowerCase();
  const full = takesFull(row);
  if (full && (t === 'full' || t === 'all')) return { ok: true, value: trainCount() };
  const n = row.integer ? parseInteger(t) : parseNumber(t);
  const tooLow = !isFinite(n) || (row.minExclusive ? !(n > row.min) : !(n >= row.min));
  const tooHigh = row.maxExclusive ? n >= row.max : n > row.max;
  if (!tooLow && !tooHigh) return { ok: true, value: n };
  return { ok: false, message: rangeMessage(row, tooLow) +
    (full ? ` (${fmt.int(trainCount())} or more = full batch)` : '') };
}

/** A select's value: one of the row's names. */
function checkChoice(row, text) {
  if (row.choices.indexOf(text) >= 0) return { ok: true, value: text };
  return { ok: false, message: `${label(row)} must be ${row.choices.join(' or ')}, not "${text}"` };
}

/** The layers: the core's text; a fault the core found in that very text (once its
 *  description is in: until then the worker's configure is the check). */
function checkArch(rules, text, described) {
  const value = archText(rules, text);
  if (described.text === value && !described.d.ok) return { ok: false, message: described.d.message };
  return { ok: true, value };
}

export function check(rules, key, text, described) {
  const row = rules && rowOf(rules, key);
  if (!row) return { ok: false, message: '' }; // nothing to check against yet
  if (row.kind === 'arch') return checkArch(rules, text, described);
  if (row.kind === 'choice') return checkChoice(row, text);
  return checkNumber(row, text);
}
