/* progress.js - the progress card and the epoch log (one job: how far the training
 * is): epoch, progress bar, time left, samples/s, loss, accuracy, learning rate,
 * updates, elapsed time, the test accuracy, when the run's target accuracy was first reached
 * (the worker's `evaluation.reached`: its epoch, the run's time then, and how long after
 * Train the page showed it; kept through Done), the divergence alert, and one row per
 * finished epoch.
 *
 * Exports:
 *   setTarget(epochs)   the run's length in epochs, before it starts
 *   clear()             back to nothing shown
 *   showProgress(p), showEvaluation(e, {loaded}), showEpochEnd(e), showDone(d), showTesting(t)   the worker's messages
 *   showDiverged(d), hideDiverged()
 *   startClock()        Train was pressed: "shown … after Train" counts from now
 *   stopClock()         the run paused or stepped: no such figure for it
 *   hyperText(h, trainCount)   "Now training with learning rate 0.05." for the settings of the worker's
 *                              `hyper` that changed
 */
import * as Dom from './dom.js';
import * as fmt from './format.js';
import * as Store from './store.js';
import { valueWords } from './form-words.js';

var $ = Dom.$, el = Dom.el, setText = Dom.setText;

var targetEpochs = 5;
var trainClock = null; // performance.now() when Train started this run; null once it paused

function startClock() { trainClock = performance.now(); }

function stopClock() { trainClock = null; }

function setTarget(epochs) {
  if (epochs > 0) targetEpochs = epochs;
  setText('epoch', 'Epoch 0 / ' + fmt.int(targetEpochs));
}

function setAccuracy(text) {
  var e = $('test-accuracy');
  setText(e, text);
  e.classList.toggle('is-empty', text === '—');
}

function clear() {
  setAccuracy('—');
  setText('accuracy-note', '');
  showTarget('', {});
  $('progress').value = 0;
  setText('progress-text', '0%');
  ['eta', 'speed', 'loss', 'train-accuracy', 'lr-now', 'updates', 'elapsed'].forEach(function (id) {
    setText(id, '—');
  });
  setText('epoch', 'Epoch 0 / ' + fmt.int(targetEpochs));
  hideDiverged();
  $('epoch-log').tBodies[0].textContent = '';
}

function showProgress(p) {
  if (!p) return;
  var epochs = p.epochs > 0 ? p.epochs : targetEpochs;
  targetEpochs = epochs;
  var epoch = p.epoch || 0;
  var within = Math.max(0, Math.min(1, p.epochProgress || 0));
  var finished = p.state === 'done' || epoch >= epochs;
  var started = (p.samples || 0) > 0 || (p.iterations || 0) > 0;
  var shown = finished ? epochs : started ? Math.min(epoch + 1, epochs) : 0;
  setText('epoch', 'Epoch ' + fmt.int(shown) + ' / ' + fmt.int(epochs));
  var frac = finished ? 1 : Math.min(1, (epoch + within) / epochs);
  $('progress').value = frac;
  setText('progress-text', (frac * 100).toFixed(frac < 0.1 && frac > 0 ? 1 : 0) + '%');
  setText('eta', finished ? 'done' : p.eta == null || !isFinite(p.eta) ? '—' : fmt.duration(p.eta));
  setText('speed', p.samplesPerSecond > 0 ? fmt.int(p.samplesPerSecond) : '—');
  // Running means over the epoch so far: none yet until a batch of the epoch completes
  // (a full batch completes only at the epoch's end), so keep the last ones shown.
  if (!started) {
    setText('loss', '—');
    setText('train-accuracy', '—');
  } else if (p.loss > 0) {
    setText('loss', fmt.fixed(p.loss, 4));
    setText('train-accuracy', fmt.percent(p.trainAccuracy));
  }
  setText('lr-now', fmt.num(p.lr));
  setText('updates', fmt.int(p.iterations || 0));
  setText('elapsed', fmt.duration(p.elapsed || 0));
}

function sum(rows) {
  return rows.reduce(function (total, row) { return total + row.reduce(function (a, b) { return a + b; }, 0); }, 0);
}

/** opts.loaded: the network came from a model file (trained, though not here). */
function showEvaluation(e, opts) {
  if (!e) return;
  if (e.samples === 0 && opts && opts.loaded) {
    setAccuracy(fmt.percent(e.testAccuracy));
    setText('accuracy-note', 'loaded model');
  } else if (e.samples === 0) {
    // The fresh, untrained network: worth a look (about chance), but not "the" accuracy.
    setText('accuracy-note', 'untrained: ' + fmt.percent(e.testAccuracy, 1) + ' (chance: 10%)');
  } else {
    setAccuracy(fmt.percent(e.testAccuracy));
    // when it was taken and what it cost: the worker tests between training slices
    setText('accuracy-note', 'at epoch ' + fmt.fixed(e.epochFloat, 2) +
      (e.seconds > 0 ? ' · ' + fmt.int(sum(e.confusion)) + ' images tested in ' + fmt.duration(e.seconds) : '') +
      (e.background ? ' by a second worker' : ''));
    if (e.reached) showReached(e);
  }
}

/** The line about the run's target; data: its figures for a reader (data-epoch, ...). */
function showTarget(text, data) {
  var e = $('target-note');
  setText(e, text);
  ['accuracy', 'epoch', 'elapsed', 'shown', 'share'].forEach(function (k) {
    if (data[k] == null) delete e.dataset[k]; else e.dataset[k] = String(data[k]);
  });
}

/** The run's first test at or over its target (e.reached): when, in epochs and seconds. */
function showReached(e) {
  var config = Store.get().config || {};
  var shown = trainClock === null ? null : (performance.now() - trainClock) / 1000;
  showTarget(fmt.percent(config.target || e.testAccuracy, 1) + ' reached at epoch ' + fmt.fixed(e.epochFloat, 2) + ', ' +
    fmt.duration(e.elapsed) + ' into training' + (shown === null ? '' : ' (shown ' + fmt.duration(shown) + ' after Train)'),
  { accuracy: e.testAccuracy, epoch: e.epochFloat, elapsed: e.elapsed, shown: shown });
}

/** Done: the target's line stays (or says it was missed), with the share the tests took. */
function showTargetAtDone(d) {
  if (d.target == null) return;
  var e = $('target-note');
  var share = d.testSeconds + d.trainSeconds > 0 ? d.testSeconds / (d.testSeconds + d.trainSeconds) : 0;
  var data = Object.assign({}, e.dataset, { share: share });
  var text = d.reached ? e.textContent : fmt.percent(d.target, 1) + ' not reached';
  showTarget(text + ' · ' + fmt.int(d.tests) + ' tests, ' + fmt.percent(share, 1) + ' of the run', data);
}

/** How far a long pass over the test set is (a large network's test takes seconds). */
function showTesting(t) {
  var part = fmt.int(t.done) + ' of ' + fmt.int(t.total) + ' test images';
  if (t.kind === 'evaluation') setText('accuracy-note', 'testing: ' + part + '…');
  else setText('mistakes-summary', 'Sorting the test images: ' + part + '…');
}

function showEpochEnd(e) {
  var tbody = $('epoch-log').tBodies[0];
  var tr = el('tr');
  [fmt.int(e.epoch), fmt.fixed(e.trainLoss, 4), fmt.percent(e.trainAccuracy),
    fmt.fixed(e.testLoss, 4), fmt.percent(e.testAccuracy)].forEach(function (t, i) {
    var cell = el(i === 0 ? 'th' : 'td', null, t);
    if (i === 0) cell.setAttribute('scope', 'row');
    tr.appendChild(cell);
  });
  tbody.appendChild(tr);
  if (typeof e.testAccuracy === 'number') setAccuracy(fmt.percent(e.testAccuracy));
}

function showDone(d) {
  $('progress').value = 1;
  setText('progress-text', '100%');
  setText('eta', 'done');
  if (d && typeof d.testAccuracy === 'number') setAccuracy(fmt.percent(d.testAccuracy));
  if (d && typeof d.elapsed === 'number') setText('elapsed', fmt.duration(d.elapsed));
  if (d) showTargetAtDone(d);
}

function showDiverged(d) {
  var box = $('diverged');
  box.textContent = '';
  box.appendChild(el('strong', null, 'Training diverged. '));
  box.appendChild(document.createTextNode(
    'At update ' + fmt.int(d.iteration) + ' the loss became NaN or infinite with learning rate ' +
    fmt.num(d.lr) + '. Try a smaller learning rate (for example ' + fmt.num(suggestLr(d.lr)) +
    '), then press Train again.'));
  if (d.message) box.appendChild(el('span', 'alert-detail', ' (' + d.message + ')'));
  box.hidden = false;
}

function suggestLr(lr) {
  return typeof lr === 'number' && lr > 0 ? Number((lr / 10).toPrecision(2)) : 0.1;
}

function hideDiverged() {
  var box = $('diverged');
  box.hidden = true;
  box.textContent = '';
}

/** The settings of `h` in the words of the form (form-words.js), in the core's table's order. */
function hyperText(h, trainCount) {
  var rules = Store.get().rules;
  if (!h || !rules) return '';
  var bits = rules.settings.filter(function (row) { return h[row.key] != null; })
    .map(function (row) { return valueWords(row, h[row.key], trainCount); });
  return bits.length ? 'Now training with ' + bits.join(', ') + '.' : '';
}

export { setTarget, startClock, stopClock, clear, showProgress, showEvaluation, showTesting, showEpochEnd, showDone, showDiverged, hideDiverged, hyperText };
