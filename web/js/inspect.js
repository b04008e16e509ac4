/* inspect.js - looking inside the network (one job: draw what the worker reports
 * about the network itself): the first weight layer's weights as images (a dense
 * layer's units as 28x28 images, a convolution's filters as magnified K x K ones),
 * every layer's activations for one chosen input (inside-activations.js: a
 * convolution's or pool's as one feature map per channel), and the 10 probability bars.
 *
 * Exports:
 *   showWeights(m)                       the worker's `weights` message
 *   showProbabilities(list, probabilities | null)   10 bars, one per class
 *   showActivations(input)               {title, image: Float32Array|Uint8Array(784) (0..1 or 0..255),
 *                                         activations: [[...], ...], layers: [{kind, h, w, c, size}, ...]
 *                                         (the prediction's; a layer with h is an image, NHWC)}
 *   clear()
 */
import * as Dom from './dom.js';
import * as Store from './store.js';
import { showActivations, clearActivations } from './inside-activations.js';

var $ = Dom.$, fill = Dom.fill;

function className(k) { return Store.className(k); }

/* Diverging colour map: negative blue, zero white, positive red; t in [-1, 1]. */
function diverging(t) {
  var a = Math.min(1, Math.abs(t));
  var fade = Math.round(255 * (1 - a));
  return t < 0 ? [fade, Math.round(255 - 155 * a), 255] : [255, Math.round(255 - 155 * a), fade];
}

/** An h x w canvas whose pixel k has the colour colourAt(k) ([r, g, b]). */
function paint(h, w, colourAt) {
  var canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  var ctx = canvas.getContext('2d');
  var img = ctx.createImageData(w, h);
  for (var k = 0; k < h * w; k++) {
    var c = colourAt(k);
    img.data[4 * k] = c[0];
    img.data[4 * k + 1] = c[1];
    img.data[4 * k + 2] = c[2];
    img.data[4 * k + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

/** An h x w image of values[offset...] in diverging colours, scaled to its largest magnitude. */
function unitCanvas(values, offset, h, w) {
  var max = 1e-12;
  for (var i = 0; i < h * w; i++) max = Math.max(max, Math.abs(values[offset + i]));
  return paint(h, w, function (k) { return diverging(values[offset + k] / max); });
}

/** m: the worker's `weights` message: units images of h x w (a dense layer's units, or
 *  a convolution's filters). */
function showWeights(m) {
  var list = $('weights');
  if (!list) return;
  var conv = m.kind === 'conv';
  var items = [];
  for (var u = 0; u < m.units; u++) {
    var li = document.createElement('li');
    li.className = 'weight-unit' + (conv ? ' weight-filter' : '');
    li.setAttribute('data-unit', String(u));
    var canvas = unitCanvas(m.values, u * m.h * m.w, m.h, m.w);
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', (conv ? 'Filter ' : 'Weights of hidden unit ') + (u + 1));
    li.appendChild(canvas);
    items.push(li);
  }
  fill(list, items);
  list.setAttribute('data-kind', m.kind || 'dense');
  Dom.setText('weights-title', conv ? 'First convolution\'s filters' : 'First-layer weights');
  Dom.setText('weights-hint', conv
    ? 'What each of the ' + m.units + ' filters looks for: its ' + m.h + ' × ' + m.w + ' weights, magnified, red positive, ' +
      'blue negative (each filter scaled to its own largest weight). Watch edge and stroke detectors form as it trains.'
    : 'What each hidden unit looks for: its ' + m.h * m.w + ' weights as a ' + m.h + ' × ' + m.w + ' image, red positive, ' +
      'blue negative (each unit scaled to its own largest weight). Watch the detectors form as it trains.');
  var empty = $('weights-empty');
  if (empty) empty.hidden = m.units > 0;
}

/** The 10 bars of `list` (an <ol>): one child per class in order, its name and a percentage
 *  in its text; probabilities null: empty bars. Builds them the first time or when the
 *  class names change. */
function showProbabilities(list, probabilities) {
  if (!list) return;
  var key = Store.namedClasses() ? 'names' : 'digits';
  if (list.children.length !== 10 || list.getAttribute('data-names') !== key) {
    fill(list, []);
    for (var c = 0; c < 10; c++) {
      var li = document.createElement('li');
      li.className = 'prob';
      li.setAttribute('data-class', String(c));
      var name = document.createElement('span');
      name.className = 'prob-name';
      name.textContent = className(c);
      var bar = document.createElement('span');
      bar.className = 'prob-bar';
      bar.setAttribute('aria-hidden', 'true');
      bar.appendChild(document.createElement('span'));
      var value = document.createElement('span');
      value.className = 'prob-value';
      li.appendChild(name);
      li.appendChild(document.createTextNode(' '));
      li.appendChild(bar);
      li.appendChild(value);
      list.appendChild(li);
    }
    list.setAttribute('data-names', key);
  }
  var best = -1;
  if (probabilities) for (var k = 0; k < 10; k++) if (best < 0 || probabilities[k] > probabilities[best]) best = k;
  for (var i = 0; i < 10; i++) {
    var item = list.children[i];
    var p = probabilities ? probabilities[i] : 0;
    Dom.setText(item.querySelector('.prob-value'), probabilities ? (p * 100).toFixed(1) + '%' : '–');
    item.style.setProperty('--p', p.toFixed(4));
    item.classList.toggle('best', i === best);
  }
}

function clear() {
  fill($('weights'), []);
  clearActivations();
}

export { showWeights, showActivations, showProbabilities, clear };
