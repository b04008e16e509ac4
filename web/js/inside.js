/* inside.js - looking inside, the controller (one job: ask the worker what the network
 * makes of an input and hand the answers to the views): the drawing's probabilities,
 * the activations of the chosen input (the drawing or a picked test image), the
 * mistakes and a confusion cell's images; and the core's description of a layer text
 * for the form's layer list (`describe-arch`).
 *
 * Exports:
 *   init()                 the drawing pad, the picks, and the worker's look-inside messages
 *   refresh(drawingOnly)   the network moved on: the bars (and the chosen image's activations) follow
 *   relabel()              the dataset changed: the class names change with it
 *   requestMistakes()      the mistakes gallery and the open cell, at a rest point
 *   forgetTestImage()      a new network: a picked test image is no longer the chosen input
 *   failed()               a look inside failed (its `error`): the next drawing asks again
 *   predictDrawing()       the drawing's probabilities now (at most one request in flight: the
 *                          latest drawing is asked for when the one in flight returns)
 *   onDrawing(fn)          fn(hasDrawing) when the pad gets its first ink, and when it is cleared
 *   drawing()              the drawing now: {pixels: Float32Array(784), strokes}, or null when the pad is empty
 *   showDrawing(m, drawing)   a prediction of that drawing made elsewhere (teach.js): the bars, verdict, activations
 */
import * as Store from './store.js';
import * as Client from './client.js';
import * as Inspect from './inspect.js';
import * as Gallery from './gallery.js';
import * as Confusion from './confusion.js';
import * as Form from './form.js';
import * as fmt from './format.js';
import * as Dom from './dom.js';
import * as Controls from './controls.js';
import * as Announce from './announce.js';
import { frameLoop } from './canvas-watch.js';
import { createPad } from './draw.js';
import { activationSteps } from './inside-activations.js';

var $ = Dom.$;
var pad = null;
var chosen = null;     // the activations view's input: {kind: 'draw'} or {kind: 'test', index}
var predictSeq = 0;
var drawingListeners = []; // fn(hasDrawing) when the pad gets its first ink or is cleared
var hadDrawing = false;

/* The drawing's prediction: at most one request in flight, for the drawing as it was
 * when sent; `wanted`: the bars do not answer the drawing as it is now (it changed, or
 * the network did), so the next chance asks again. A reply is shown at the next
 * animation frame (with the frame's other changes: one style, layout and paint), its
 * feature maps one layer a frame after it (`steps`), and the next request waits for the
 * frame after the last: while a pen moves, a frame either shows a part of an answer or
 * asks for one, never both, so the page's work per frame stays small whatever the
 * network, and the answers follow the drawing as fast as they come. */
var asking = { inFlight: false, wanted: false, reply: null, steps: [], shown: false, stale: 0 };
var frame = null; // frameLoop(window, tick), made in init()
/* An answer that is already stale when it comes (the drawing changed meanwhile) is
 * dropped, and the latest drawing asked for at once, except every STALE_SHOWN-th in a row:
 * while a pen moves without a pause the bars still follow it (a few times a second),
 * at a fraction of the page's work. */
var STALE_SHOWN = 3;

function className(k) { return Store.className(k); }

function canPredict() {
  var S = Store.get();
  return Client.started() && S.dataReady && S.hasNet && !S.busy;
}

/** The verdict under the bars, shown at once; the network's (`say`) also said at the
 *  announcer's pace. */
function setVerdict(text, say) {
  Dom.setText('draw-verdict', text);
  if (say) Announce.say('verdict', text);
}

/** Asks the worker for one prediction; `done` gets the `prediction` message, or null when
 *  none comes (refused, or past its bound: the worker says why in #status). A request, so
 *  that its answer reaches it even when it is about a network replaced meanwhile. */
function predict(what, done) {
  Client.request(Object.assign({ type: 'predict', id: 'p' + (++predictSeq) }, what)).then(done, function (e) {
    Controls.setStatus(e.message, 'warn'); // a look inside failed: training is untouched
    done(null);
  });
}

/** The bars should answer the drawing as it is now: asks, or leaves it to the next frame. */
function predictDrawing() {
  asking.wanted = true;
  var list = $('draw-probabilities');
  if (list) list.removeAttribute('data-strokes'); // (until they do)
  if (asking.reply || asking.steps.length || asking.shown) frame.schedule(); else askDrawing();
}

function askDrawing() {
  if (asking.inFlight || !asking.wanted) return;
  if (!pad || pad.isEmpty()) {
    asking.wanted = false;
    Inspect.showProbabilities($('draw-probabilities'), null);
    $('draw-probabilities').setAttribute('data-strokes', '0');
    setVerdict('Draw a digit above.');
    return;
  }
  if (!canPredict()) {
    pad.showInput(pad.pixels()); // (the preview still shows what the network will see)
    setVerdict('The network answers once the data is loaded.');
    return; // (still wanted: refresh() asks once it can)
  }
  asking.wanted = false;
  asking.inFlight = true;
  var drawing = { pixels: pad.pixels(), strokes: pad.strokeCount(), version: pad.version() };
  predict({ pixels: drawing.pixels }, function (m) {
    asking.inFlight = false;
    if (!m) return; // (the next change of the drawing asks again)
    asking.reply = { m: m, drawing: drawing };
    frame.schedule();
  });
}

/** The drawing (or the network) changed since the reply `r`'s request was sent. */
function stale(r) {
  return asking.wanted || !pad || pad.version() !== r.drawing.version;
}

/** At an animation frame: the next step of the answer on screen, or the reply that came
 *  (unless the pad was cleared meanwhile: the answer is about a drawing that is gone),
 *  or else the next request if it is wanted. */
function tick() {
  var r = asking.reply;
  if (asking.steps.length) {
    asking.steps.shift()();
  } else if (r && stale(r) && ++asking.stale % STALE_SHOWN !== 0) {
    asking.reply = null;
    asking.shown = false;
    askDrawing(); // (dropped: the latest drawing instead)
    return;
  } else if (r) {
    asking.reply = null;
    if (!stale(r)) asking.stale = 0;
    if (pad && !pad.isEmpty()) showPrediction(r.m, r.drawing.pixels, r.drawing.strokes, true);
  } else {
    asking.shown = false;
    askDrawing();
    return;
  }
  asking.shown = true;
  frame.schedule();
}

/** A prediction `m` of the drawing `pixels` of `strokes` strokes: the bars, the verdict and,
 *  when the drawing is the chosen input, its activations (inFrames: their feature maps one
 *  layer a frame, from tick()). */
function showPrediction(m, pixels, strokes, inFrames) {
  var list = $('draw-probabilities');
  pad.showInput(pixels);
  Inspect.showProbabilities(list, m.probabilities);
  // which drawing the bars answer (tests wait for the last one); none while a newer one waits
  if (asking.wanted || asking.inFlight) list.removeAttribute('data-strokes'); else list.setAttribute('data-strokes', String(strokes));
  var p = m.probabilities[m.predicted];
  var S = Store.get();
  var trained = S.last && (S.last.samples || 0) > 0;
  setVerdict((trained || S.loadedArch ? 'The network says ' : 'The untrained network guesses ') +
    className(m.predicted) + ' (' + (p * 100).toFixed(1) + '% sure).', true);
  asking.steps = [];
  if (chosen && chosen.kind === 'draw') {
    var steps = activationSteps({ title: 'Your drawing: predicted ' + className(m.predicted) + ' (' +
      (p * 100).toFixed(1) + '%)', image: pixels, activations: m.activations, layers: m.layers });
    if (steps.length) steps.shift()();
    if (inFrames) asking.steps = steps.map(function (step) { return function () { if (chosen && chosen.kind === 'draw') step(); }; });
    else steps.forEach(function (step) { step(); });
  }
}

function pickTest(index) {
  chosen = { kind: 'test', index: index };
  showChosenTest();
  var box = $('activations');
  if (box && box.scrollIntoView) box.closest('section').scrollIntoView({ block: 'nearest' });
}

function showChosenTest() {
  if (!canPredict() || !chosen || chosen.kind !== 'test') return;
  var index = chosen.index;
  predict({ index: index }, function (m) {
    if (!m || !chosen || chosen.index !== index) return;
    var p = m.probabilities[m.predicted];
    var title = 'Test image ' + fmt.int(index) + ' (' + className(m.label) + '): predicted ' +
      className(m.predicted) + ' (' + (p * 100).toFixed(1) + '%), ' + (m.label === m.predicted ? 'right' : 'wrong');
    Inspect.showActivations({ title: title, image: m.image, activations: m.activations, layers: m.layers });
    Announce.say('activations', 'Activations of ' + title + '.');
  });
}

function refresh(drawingOnly) {
  if (!canPredict()) return;
  if (pad && !pad.isEmpty()) predictDrawing();
  if (!drawingOnly) showChosenTest();
}

function relabel() {
  Confusion.relabel();
  Inspect.showProbabilities($('draw-probabilities'), null);
  predictDrawing();
}

/* ---- galleries that cost a pass over the test set: only at rest points ---- */

function requestCell(label, predicted) {
  // right answers: the doubtful ones are the interesting ones; mistakes: the confident ones
  Client.post({ type: 'cell', label: label, predicted: predicted, limit: 60, order: label === predicted ? 'least' : 'most' });
}

function requestMistakes() {
  Client.post({ type: 'mistakes', limit: 60, order: Gallery.mistakesOrder() });
  var cell = Confusion.selected();
  if (cell) requestCell(cell.label, cell.predicted);
}

/* ---- the layer list: the core's description of a layer text (Form.setDescriber) ---- */

var describing = {}; // request id -> callback

function describe(arch, done) {
  var id = 'a' + (++predictSeq);
  describing[id] = done;
  Client.post({ type: 'describe-arch', id: id, arch: arch });
}

function onDescription(m) {
  var done = describing[m.id];
  delete describing[m.id];
  if (done) done(m);
}

function init() {
  Client.on('arch-description', onDescription);
  Form.setDescriber(describe);
  Client.on('weights', Inspect.showWeights);
  Client.on('mistakes', function (m) { if (m.order === Gallery.mistakesOrder()) Gallery.showMistakes(m); });
  Client.on('cell', Confusion.showCell);
  Gallery.init({
    onPick: pickTest,
    onMistakesOrder: function () { if (Store.get().hasNet) requestMistakes(); }
  });
  Confusion.init({
    onCell: function (label, predicted) { if (Store.get().hasNet) requestCell(label, predicted); }
  });
  frame = frameLoop(window, tick);
  pad = createPad({
    canvas: $('draw-pad'),
    preview: $('draw-input'),
    onChange: function (hasInk) {
      if (hasInk) chosen = { kind: 'draw' };
      if (hasInk !== hadDrawing) {
        hadDrawing = hasInk;
        drawingListeners.forEach(function (fn) { fn(hasInk); });
      }
      predictDrawing();
    }
  });
  $('draw-clear').addEventListener('click', function () { pad.clear(); });
  Inspect.showProbabilities($('draw-probabilities'), null);
}

export function forgetTestImage() { if (chosen && chosen.kind === 'test') chosen = null; }
export function failed() { asking.inFlight = false; }
export function onDrawing(fn) { drawingListeners.push(fn); }
export function drawing() { return pad && !pad.isEmpty() ? { pixels: pad.pixels(), strokes: pad.strokeCount() } : null; }
export function showDrawing(m, d) { showPrediction(m, d.pixels, d.strokes); }
export { init, refresh, relabel, requestMistakes, predictDrawing };
