/* run-status.js - what the page says about the run (one job: the run's phase in the store,
 * and the sentences about it in #status): shared by the run's buttons (run.js) and the
 * worker's training messages (run-messages.js). Also holds the chart, which both draw on.
 *
 * Exports:
 *   setPhase(phase, recoverable)
 *   fail(stage, message)     a failure that leaves nothing to do but reload or fix the setup
 *   readyText()              "Ready: 60,000 training and 10,000 test images"
 *   epochWords(progress)     "epoch 2 of 5" (of the latest progress when none is given)
 *   showConfigError(error)   a rejected setting, in #status and beside its field
 *   showFailure(error)       a request's failure: a rejected setting at its field, anything else in #status
 *   setChart(chart), chart() the learning curves
 *   setTarget(epochs)        the run's length: the progress card and the chart's x axis
 */
import * as Store from './store.js';
import * as Client from './client.js';
import * as Form from './form.js';
import * as Controls from './controls.js';
import * as Progress from './progress.js';
import * as fmt from './format.js';

let theChart = null;

export function setChart(c) { theChart = c; }

export function chart() { return theChart; }

export function setPhase(phase, recoverable) {
  Store.set({ phase, recoverable: !!recoverable });
}

export function fail(stage, message) {
  Client.failAll(stage, message);
  setPhase('error');
  Controls.setStatus(message, 'error');
}

export function readyText() {
  const S = Store.get();
  return `Ready: ${fmt.int(S.trainCount)} training and ${fmt.int(S.testCount)} test images` +
    (S.dataName && S.dataName !== 'MNIST' ? ` (${S.dataName})` : '');
}

export function epochWords(p) {
  const S = Store.get();
  p = p || S.last;
  const epochs = (p && p.epochs) || (S.config && S.config.epochs) || 0;
  const e = p ? Math.min((p.epoch || 0) + 1, epochs) : 1;
  return `epoch ${fmt.int(e)} of ${fmt.int(epochs)}`;
}

export function setTarget(epochs) {
  Progress.setTarget(epochs);
  theChart.setXMax(epochs);
}

export function showConfigError(e) {
  Controls.setStatus(`Settings rejected: ${e.message}`, 'error');
  if (e.field) Form.fieldError(e.field, e.message);
}

export function showFailure(e) {
  if (e.stage === 'config') showConfigError(e); else Controls.setStatus(e.message, 'error');
}
