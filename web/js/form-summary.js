/* form-summary.js - the form's live hints (one job: say what the settings make): the
 * network and its parameters (#arch-summary), the run (#run-summary: updates per epoch,
 * initialisation, optimiser, schedule, augmentation) and which settings differ from its
 * preset (#preset-hint: every row of the core's table that does, in the table's words).
 *
 * Exports:
 *   showSummary(rows, preset, v, d, trainCount)
 *     rows: the core's settings table; preset: the rules' preset the fields started from;
 *     v: {key: check result}; d: the core's description of v.arch's text (or null);
 *     trainCount: the training-set size
 */
import { setText } from './dom.js';
import * as fmt from './format.js';
import { label, takesFull, valueWords } from './form-words.js';

function archSummary(v, d) {
  if (!v.arch || !v.arch.ok) return '';
  return `Network ${v.arch.value}${/-(c|p)\d/.test(v.arch.value) ? ' (convolutional)' : ''}` +
    (d && d.ok ? `: ${fmt.int(d.params)} parameters.` : '.');
}

function runSummary(rows, p, v, n) {
  const value = (key) => (v[key] && v[key].ok ? v[key].value : p[key]);
  const bits = [];
  if (v.batch && v.batch.ok) {
    const per = v.batch.value >= n ? 1 : Math.ceil(n / v.batch.value);
    bits.push(v.batch.value >= n ? 'Full batch: one update per epoch' : `${fmt.int(per)} updates per epoch`);
    if (v.epochs && v.epochs.ok && v.epochs.value > 0) bits.push(`${fmt.int(per * v.epochs.value)} in all`);
  }
  if (value('iterations') > 0) bits.push(`at most ${fmt.int(value('iterations'))} updates`);
  bits.push(value('init') === 'he' ? 'He initialisation' : "the notebook's U(−0.5, 0.5) initialisation");
  const adam = value('optimizer') === 'adam';
  const onecycle = value('schedule') === 'onecycle';
  if (adam) bits.push('Adam');
  if (onecycle) bits.push('one-cycle learning rate (the rate above is its peak)');
  else bits.push(value('lrDecay') === 1 ? 'constant learning rate' : `learning rate × ${fmt.num(value('lrDecay'))} after each epoch`);
  if (adam || onecycle) bits.push(`momentum field not used (${adam ? `Adam's β₁ = ${fmt.num(value('beta1'))}` : 'the cycle sets it'})`);
  if (value('weightDecay') > 0) bits.push(`weight decay ${fmt.num(value('weightDecay'))}`);
  rows.filter((row) => row.group === 'augmentation').forEach((row) => {
    if (v[row.key] && v[row.key].ok && v[row.key].value) bits.push(valueWords(row, v[row.key].value, n));
  });
  return `${bits.join(' · ')}.`;
}

/** The settings whose field differs from the preset, in words ("layers", "learning rate"). */
function changedFromPreset(rows, p, v, n) {
  return rows.filter((row) => {
    const r = v[row.key];
    if (!r || !r.ok || r.value === p[row.key]) return false;
    return !(takesFull(row) && r.value >= n && p[row.key] >= n); // both the whole training set
  }).map((row) => (row.kind === 'arch' ? 'layers' : label(row).replace(/ \(.*\)$/, '').toLowerCase()));
}

export function showSummary(rows, p, v, d, n) {
  setText('arch-summary', archSummary(v, d));
  setText('run-summary', runSummary(rows, p, v, n));
  const changed = changedFromPreset(rows, p, v, n);
  setText('preset-hint', `${p.arch}. ${p.description}${changed.length ? ` Changed here: ${changed.join(', ')}.` : ''}`);
}
