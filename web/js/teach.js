/* teach.js - "Teach it your handwriting", the controller (one job: when the drawing is
 * read wrong, the user presses the right digit and the worker teaches the network; the
 * bars show the drawing's new prediction at once, and the taught examples are listed).
 * The core keeps the examples with the network (src/core/teach.c), so they go with a
 * downloaded model and with the browser's copy, which is saved again after teaching.
 *
 * Exports:
 *   init()    the digit buttons under the bars, the list of taught examples, the forget button
 */
import * as Dom from './dom.js';
import * as Store from './store.js';
import * as Client from './client.js';
import * as Inside from './inside.js';
import * as Models from './models.js';

var $ = Dom.$;

var busy = false;      // a teach request is in flight
var hasDrawing = false;
var seq = 0;

function canTeach() {
  var S = Store.get();
  return Client.started() && S.dataReady && S.hasNet && !S.busy && !busy && hasDrawing;
}

function setStatus(text, kind) {
  var status = $('teach-status');
  status.textContent = text;
  status.setAttribute('data-kind', kind || 'info');
}

function updateButtons() {
  var can = canTeach();
  Array.prototype.forEach.call($('teach-digits').children, function (b, k) {
    b.disabled = !can;
    var name = Store.className(k);
    b.title = 'This drawing is ' + (/^\d$/.test(name) ? 'a ' + name : name);
    // the name starts with what the button shows (the digit), as a spoken command would say it
    b.setAttribute('aria-label', k + (name === String(k) ? '' : ' (' + name + ')') + ': teach that this drawing is ' + name);
  });
}

/** The taught examples as the worker lists them: the count, and each as a small image. */
function showExamples(m) {
  var n = m.count;
  $('teach-count').textContent = n === 0 ? 'No examples taught yet.'
    : n + (n === 1 ? ' example' : ' examples') + ' taught (kept with the network: in a downloaded model and the browser\'s copy).';
  $('teach-forget').hidden = n === 0;
  var box = $('teach-examples');
  Dom.fill(box, []);
  m.labels.forEach(function (label, k) {
    var item = Dom.el('li', 'teach-example');
    var image = Dom.digitCanvas(m.images, k * 784);
    image.removeAttribute('aria-hidden');
    image.setAttribute('role', 'img');
    image.setAttribute('aria-label', 'Taught example ' + (k + 1) + ': ' + Store.className(label));
    item.appendChild(image);
    item.appendChild(Dom.el('span', null, Store.className(label)));
    item.title = 'Taught as ' + Store.className(label);
    box.appendChild(item);
  });
}

/** Asks the worker for the taught examples (forget: drop them first). */
function listExamples(forget) {
  return Client.request({ type: 'taught-examples', forget: !!forget }).then(showExamples, function (e) {
    setStatus('Could not list the taught examples: ' + e.message, 'error');
  });
}

function teach(label) {
  var d = Inside.drawing();
  if (!d || !canTeach()) return;
  busy = true;
  updateButtons();
  setStatus('Teaching the network that this is ' + Store.className(label) + '…');
  Client.request({ type: 'teach', id: 't' + (++seq), pixels: d.pixels, label: label }).then(function (m) {
    busy = false;
    updateButtons();
    Inside.showDrawing(m, d);
    var p = (m.probabilities[m.predicted] * 100).toFixed(1);
    setStatus('Taught: this is ' + Store.className(label) + ' (' + m.steps + ' training steps mixed with training images). ' +
      'The network now says ' + Store.className(m.predicted) + ' (' + p + '%).', m.predicted === label ? 'ok' : 'warn');
    listExamples(false);
    if (Store.get().phase !== 'training') Models.autoSave(); // (while training, the next rest point saves it)
  }, function (e) {
    busy = false;
    updateButtons();
    setStatus('Could not teach: ' + e.message, 'error');
  });
}

function init() {
  var digits = $('teach-digits');
  for (var k = 0; k < 10; k++) {
    var b = Dom.el('button', 'btn teach-digit', String(k));
    b.type = 'button';
    b.addEventListener('click', teach.bind(null, k));
    digits.appendChild(b);
  }
  $('teach-forget').addEventListener('click', function () {
    listExamples(true).then(function () {
      setStatus('Forgot the taught examples (the network keeps what it learnt from them).', 'ok');
      if (Store.get().phase !== 'training') Models.autoSave();
    });
  });
  Inside.onDrawing(function (has) {
    hasDrawing = has;
    updateButtons();
  });
  Store.subscribe(function (S, changed) {
    // a new network (built, reset or loaded) or new data: its own examples, if any
    if (changed.some(function (k) { return k === 'config' || k === 'hasNet' || k === 'loadedArch' || k === 'dataset'; })) {
      if (S.hasNet) listExamples(false); else showExamples({ count: 0, labels: [], images: null });
    }
    updateButtons();
  });
  updateButtons();
}

export { init };
