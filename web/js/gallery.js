/* gallery.js - the test-image galleries (one job: lists of test images with what the
 * network said about them): the predictions grid, the mistakes, and through
 * fill() the images of a confusion-matrix cell (confusion.js). Every item is built
 * by item() and filled by fill(): a list item (data-index, data-label, data-predicted)
 * holding one button, the image (role img, its text alternative: label, prediction,
 * confidence) and the caption, so its name is what it shows; the button picks its test
 * image for the activations view (click, Enter or Space).
 *
 * Exports:
 *   init({onPick(testIndex), onMistakesOrder(order)})
 *   fill(list, entries, images, options)   one item per entry {index, label, predicted, confidence},
 *        reusing the items already there; images: Uint8Array(entries x 784);
 *        options: {cls, imageClass, captionClass, caption(span, entry, li), describe(entry)}
 *   describe(entry)                        "Test image 12: true 5, predicted 3 with 97.1% confidence (wrong)"
 *   showPredictions(m), clearPredictions()     the worker's `predictions` message
 *   showMistakes(m), clearMistakes()           the worker's `mistakes` message
 *   mistakesOrder()                            'most' | 'least' (the sort select)
 */
import * as Dom from './dom.js';
import * as fmt from './format.js';
import * as Store from './store.js';
import * as Announce from './announce.js';

var $ = Dom.$, el = Dom.el;
var SIDE = 28;
var handlers = {};

function className(k) { return Store.className(k); }

/** A class in few letters, for the small tiles: "T-shirt" for "T-shirt/top", "Boot" for "Ankle boot". */
function shortLabel(k) {
  var word = className(k).split('/')[0].split(' ').pop();
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function item(options) {
  var li = el('li');
  var pick = el('button', 'gallery-pick'); // picks the image for the activations view
  pick.type = 'button';
  var canvas = el('canvas', options.imageClass);
  canvas.width = canvas.height = SIDE;
  canvas.setAttribute('role', 'img');
  pick.appendChild(canvas);
  pick.appendChild(el('span', options.captionClass));
  li.appendChild(pick);
  return li;
}

function describe(entry) {
  return 'Test image ' + entry.index + ': true ' + className(entry.label) + ', predicted ' +
    className(entry.predicted) + ' with ' + (entry.confidence * 100).toFixed(1) + '% confidence (' +
    (entry.label === entry.predicted ? 'right' : 'wrong') + ')';
}

function fill(list, entries, images, options) {
  var n = entries.length;
  while (list.children.length > n) list.removeChild(list.lastChild);
  while (list.children.length < n) list.appendChild(item(options));
  entries.forEach(function (entry, k) {
    var li = list.children[k];
    li.className = options.cls;
    li.setAttribute('data-label', String(entry.label));
    li.setAttribute('data-predicted', String(entry.predicted));
    if (entry.index != null) li.setAttribute('data-index', String(entry.index));
    var pick = li.firstChild, canvas = pick.firstChild;
    var desc = (options.describe || describe)(entry);
    canvas.setAttribute('aria-label', desc); // the image's text alternative
    pick.title = desc;
    if (images.length >= (k + 1) * SIDE * SIDE) Dom.drawDigit(canvas, images, k * SIDE * SIDE);
    options.caption(pick.children[1], entry, li);
  });
}

/* ---- the predictions grid ---- */

function confidenceText(entry) {
  return isFinite(entry.confidence) ? Math.round(entry.confidence * 100) + '%' : '';
}

/** ✓ 7 · 99% (and "is 9" below a wrong one). */
function predictionCaption(span, entry, li) {
  var ok = entry.label === entry.predicted;
  li.setAttribute('data-correct', ok ? 'true' : 'false');
  if (!span.firstChild) {
    span.appendChild(el('span', 'pred-mark', ''));
    span.appendChild(document.createTextNode(' '));
    span.appendChild(el('span', 'pred-text', ''));
    span.appendChild(el('span', 'pred-sep', ' · '));
    span.appendChild(el('span', 'pred-conf', ''));
    var truth = el('span', 'pred-truth', '');
    truth.hidden = true;
    li.firstChild.appendChild(truth);
  }
  span.querySelector('.pred-mark').textContent = ok ? '✓' : '✗';
  span.querySelector('.pred-text').textContent = shortLabel(entry.predicted);
  span.querySelector('.pred-conf').textContent = confidenceText(entry);
  var truthSpan = li.querySelector('.pred-truth');
  truthSpan.textContent = ok ? '' : 'is ' + shortLabel(entry.label);
  truthSpan.hidden = ok;
}

function describePrediction(entry) {
  var conf = confidenceText(entry);
  return 'Test image' + (entry.index != null ? ' ' + fmt.int(entry.index) : '') + ': predicted ' +
    className(entry.predicted) + (conf ? ' (' + conf + ' sure)' : '') +
    (entry.label === entry.predicted ? ', right' : ', wrong: it is ' + className(entry.label));
}

function showPredictions(m) {
  if (!m || !m.labels) return;
  var entries = [];
  for (var i = 0; i < m.labels.length; i++) {
    entries.push({ index: m.indices ? m.indices[i] : null, label: m.labels[i], predicted: m.predicted[i],
      confidence: m.confidence ? m.confidence[i] : NaN });
  }
  var grid = $('predictions');
  fill(grid, entries, m.images instanceof Uint8Array ? m.images : new Uint8Array(m.images || 0), {
    cls: 'pred', imageClass: 'pred-img', captionClass: 'pred-caption',
    caption: predictionCaption, describe: describePrediction
  });
  grid.classList.toggle('with-names', Store.namedClasses());
  $('predictions-empty').hidden = entries.length > 0;
}

function clearPredictions() {
  $('predictions').textContent = '';
  $('predictions-empty').hidden = false;
}

/* ---- the mistakes ---- */

function mistakesOrder() {
  var sort = $('mistakes-sort');
  return sort && sort.value === 'least' ? 'least' : 'most';
}

/** m: the worker's `mistakes` message, already in the order asked for. */
function showMistakes(m) {
  fill($('mistakes'), m.items, m.images, {
    cls: 'mistake',
    caption: function (span, entry) {
      span.textContent = className(entry.label) + ' → ' + className(entry.predicted) + ' · ' +
        Math.round(entry.confidence * 100) + '%';
    }
  });
  var summary = m.total.toLocaleString('en-US') + ' of the test images are misclassified; ' +
    (m.items.length < m.total ? 'showing ' + m.items.length + ', ' : '') +
    (m.order === 'least' ? 'least' : 'most') + ' confident first.';
  Dom.setText('mistakes-summary', summary);
  Announce.say('mistakes', summary);
}

function clearMistakes() {
  $('mistakes').textContent = '';
  $('mistakes-summary').textContent = 'Mistakes appear after an epoch, a pause or a step.';
}

/* ---- picking an image ---- */

/** Items with data-index in `list` pick that test image: a click on the item, or its button's
 *  (which Enter and Space press). */
function bindPick(list) {
  list.addEventListener('click', function (e) {
    var chosen = e.target.closest && e.target.closest('[data-index]');
    if (!chosen || !list.contains(chosen) || !handlers.onPick) return;
    handlers.onPick(Number(chosen.getAttribute('data-index')));
  });
}

function init(h) {
  handlers = h || {};
  $('mistakes-sort').addEventListener('change', function () {
    if (handlers.onMistakesOrder) handlers.onMistakesOrder(mistakesOrder());
  });
  ['predictions', 'mistakes', 'cell-images'].forEach(function (id) { bindPick($(id)); });
}

export { init, fill, describe, showPredictions, clearPredictions, showMistakes, clearMistakes, mistakesOrder };
