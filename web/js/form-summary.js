/* form-summary.js - the form's live hints (one job: say what the settings make): the
 * network and its parameters (#arch-summary), the run (#run-summary: updates per epoch,
 * initialisation, optimiser, schedule, augmentation) and how it differs from its preset
 * (#preset-hint).
 *
 * Exports:
 *   showSummary(preset, v, d, trainCount)
 *     preset: the rules' preset the fields started from; v: {field: check result};
 *     d: the core's description of v.arch's text (or null); trainCount: the training-set size
 */
import { setText } from './dom.js';
import * as fmt from './format.js';
import { AUGMENTATION, AUG_KEYS, LABELS } from './form-fields.js';

function archSummary(v, d) {
  if (!v.arch.ok) return '';
  return `Network ${v.arch.value}${/-(c|p)\d/.test(v.arch.value) ? ' (convolutional)' : ''}` +
    (d && d.ok ? `: ${fmt.int(d.params)} parameters.` : '.');
}

function runSummary(p, v, n) {
  const bits = [];
  if (v.batch.ok) {
    const per = v.batch.value >= n ? 1 : Math.ceil(n / v.batch.value);
    bits.push(v.batch.value >= n ? 'Full batch: one update per epoch' : `${fmt.int(per)} updates per epoch`);
    if (v.epochs.ok) bits.push(`${fmt.int(per * v.epochs.value)} in all`);
  }
  bits.push(p.init === 'he' ? 'He initialisation' : "the notebook's U(−0.5, 0.5) initialisation");
  const adam = v.optimizer.ok && v.optimizer.value === 'adam';
  const onecycle = v.schedule.ok && v.schedule.value === 'onecycle';
  if (adam) bits.push('Adam');
  if (onecycle) bits.push('one-cycle learning rate (the rate above is its peak)');
  else bits.push(p.lrDecay === 1 ? 'constant learning rate' : `learning rate × ${fmt.num(p.lrDecay)} after each epoch`);
  if (adam || onecycle) bits.push(`momentum field not used (${adam ? `Adam's β₁ = ${fmt.num(p.beta1)}` : 'the cycle sets it'})`);
  AUGMENTATION.forEach((a) => { if (v[a.key].ok && v[a.key].value) bits.push(a.says(v[a.key].value)); });
  return `${bits.join(' · ')}.`;
}

function changedFromPreset(p, v, n) {
  const changed = [];
  if (v.arch.ok && v.arch.value !== p.arch) changed.push('layers');
  ['lr', 'momentum', 'epochs', 'seed', 'optimizer', 'schedule'].concat(AUG_KEYS).forEach((f) => {
    if (v[f].ok && v[f].value !== p[f]) changed.push(LABELS[f].replace(/ \(.*\)$/, '').toLowerCase());
  });
  if (v.batch.ok && v.batch.value !== p.batch && !(p.batch >= n && v.batch.value >= n)) changed.push('batch size');
  return changed;
}

export function showSummary(p, v, d, n) {
  setText('arch-summary', archSummary(v, d));
  setText('run-summary', runSummary(p, v, n));
  const changed = changedFromPreset(p, v, n);
  setText('preset-hint', `${p.arch}. ${p.description}${changed.length ? ` Changed here: ${changed.join(', ')}.` : ''}`);
}
