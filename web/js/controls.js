/* controls.js - the training buttons and what the page says (one job): Train, Pause
 * (Resume), Step and Reset following the run's phase, the #status line and the note
 * under the buttons.
 *
 * Exports:
 *   init({onTrain, onPause, onStep, onReset})   binds the buttons (and Enter in the form)
 *   show(phase, {recoverable, busy})   loading|ready|training|paused|done|error: which buttons work
 *   setStatus(text, kind, opts)        the #status live region; kind info|ok|warn|error; opts.throttle:
 *                                      a progress line, shown (and so announced) at most every
 *                                      ANNOUNCE_EVERY_MS; any other text at once
 *   ANNOUNCE_EVERY_MS                  how often a live region may speak of progress
 *   setNote(text)                      the note under the buttons
 *   setVersion(text)                   the footer's build line
 */
import * as Dom from './dom.js';

var $ = Dom.$, setText = Dom.setText;

var ANNOUNCE_EVERY_MS = 5000;
var statusTimer = 0;
var statusPending = null;
var statusLast = 0;

/** opts.recoverable (error: Train and Reset stay usable), opts.busy (waiting for the
 *  worker: Train/Step/Reset off), opts.loadingData (new data on its way: Train/Step/Reset
 *  off, Pause still works). */
function show(s, opts) {
  opts = opts || {};
  document.body.setAttribute('data-state', s);
  document.body.toggleAttribute('data-loading-data', !!opts.loadingData);
  var busy = !!opts.busy;
  var starts = !busy && !opts.loadingData; // whether something new may start
  var train = $('train'), pause = $('pause'), step = $('step'), reset = $('reset');
  var canTrain = starts && (s === 'ready' || s === 'done' || (s === 'error' && opts.recoverable));
  var canReset = starts && (s === 'ready' || s === 'training' || s === 'paused' || s === 'done' ||
    (s === 'error' && opts.recoverable));
  var canStep = starts && (s === 'ready' || s === 'paused');
  var canPause = !busy && (s === 'training' || s === 'paused');
  var focused = document.activeElement;

  train.disabled = !canTrain;
  setText(train, s === 'done' || (s === 'error' && opts.recoverable) ? 'Train again' : 'Train');
  pause.disabled = !canPause;
  setText(pause, s === 'paused' ? 'Resume' : 'Pause');
  pause.setAttribute('aria-label', s === 'paused' ? 'Resume training' : 'Pause training');
  step.disabled = !canStep;
  reset.disabled = !canReset;

  // Keep keyboard focus on something useful when the focused button turns off.
  if (focused && focused.tagName === 'BUTTON' && focused.disabled) {
    var next = [pause, train, step, reset].filter(function (b) { return !b.disabled; })[0];
    if (next) next.focus({ preventScroll: true });
  }
}

function setStatus(text, kind, opts) {
  opts = opts || {};
  var box = $('status');
  var apply = function () {
    statusPending = null;
    statusLast = Date.now();
    box.setAttribute('data-kind', kind || 'info');
    setText(box, text);
  };
  if (statusTimer) { clearTimeout(statusTimer); statusTimer = 0; }
  // Throttled updates (the run's progress) at most every ANNOUNCE_EVERY_MS, so that a
  // screen reader is not flooded; everything else (a run's end, errors) at once.
  if (opts.throttle) {
    if (box.textContent === text) return;
    var wait = ANNOUNCE_EVERY_MS - (Date.now() - statusLast);
    if (wait > 0) {
      statusPending = apply;
      statusTimer = setTimeout(function () { statusTimer = 0; if (statusPending) statusPending(); }, wait);
      return;
    }
  }
  apply();
}

function setNote(text) {
  setText('note', text || '');
}

function setVersion(text) {
  setText('version', text || '');
}

function init(h) {
  var call = function (name) { return function () { if (h[name]) h[name](); }; };
  $('train').addEventListener('click', call('onTrain'));
  $('pause').addEventListener('click', call('onPause'));
  $('step').addEventListener('click', call('onStep'));
  $('reset').addEventListener('click', call('onReset'));
  $('config').addEventListener('submit', function (e) {
    e.preventDefault();
    if (!$('train').disabled && h.onTrain) h.onTrain();
  });
}

export { init, show, setStatus, setNote, setVersion, ANNOUNCE_EVERY_MS };
