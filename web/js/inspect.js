/* inspect.js - looking inside the network (one job: draw what the worker reports
 * about the network itself): the first weight layer's weights as images (a dense
 * layer's units as 28x28 images, a convolution's filters as magnified K x K ones),
 * every layer's activations for one chosen input (a convolution's or pool's as one
 * feature map per channel), and the 10 probability bars.
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

var $ = Dom.$, fill = Dom.fill;
var SIDE = 28;

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

/* ---- activations ---- */

var KIND_NAMES = { conv: 'Convolution', pool: 'Max-pool', dense: 'Dense' };

/** A layer's heading: "Convolution 1: 26×26×16, ReLU", "Hidden layer 2: ReLU, 128 units". */
function layerName(k, count, shape) {
  if (k === count - 1) return 'Output: probabilities';
  if (shape && shape.h != null) {
    return KIND_NAMES[shape.kind] + ' (layer ' + (k + 1) + '): ' + shape.h + '×' + shape.w + '×' + shape.c +
      (shape.kind === 'conv' ? ', ReLU' : '');
  }
  return 'Hidden layer ' + (k + 1) + ': ReLU';
}

/** Heat colour of t in [0, 1]: black, red, orange, yellow, white (brighter = larger). */
function heat(t) {
  var a = Math.max(0, Math.min(1, t));
  return [Math.round(255 * Math.min(1, 2 * a)), Math.round(255 * Math.max(0, Math.min(1, 2 * a - 0.5))),
    Math.round(255 * Math.max(0, 3 * a - 2))];
}

/** One channel c of an H x W x C image (NHWC) as a canvas, scaled by max. */
function mapCanvas(values, shape, c, max) {
  return paint(shape.h, shape.w, function (p) { return heat(values[p * shape.c + c] / max); });
}

/** A convolution's or pool's outputs: one feature map per channel. */
function mapsRow(row, values, shape, max) {
  var maps = document.createElement('div');
  maps.className = 'act-maps';
  maps.setAttribute('role', 'img');
  maps.setAttribute('aria-label', shape.c + ' feature maps of ' + shape.h + ' × ' + shape.w);
  for (var c = 0; c < shape.c; c++) {
    var canvas = mapCanvas(values, shape, c, max);
    canvas.className = 'act-map';
    canvas.title = 'channel ' + (c + 1);
    maps.appendChild(canvas);
  }
  row.appendChild(maps);
}

/** A dense layer's outputs: one cell per unit (the output layer's named by class). */
function cellsRow(row, values, output, max, active) {
  var cells = document.createElement('div');
  cells.className = 'act-cells';
  cells.setAttribute('role', 'img');
  var best = 0;
  for (var j = 0; j < values.length; j++) if (values[j] > values[best]) best = j;
  var words = [];
  for (var u = 0; u < values.length; u++) {
    var cell = document.createElement('span');
    cell.className = 'act-cell';
    cell.style.setProperty('--v', (values[u] / max).toFixed(3));
    if (output) {
      cell.textContent = className(u);
      if (u === best) cell.classList.add('best');
      cell.title = className(u) + ': ' + (values[u] * 100).toFixed(1) + '%';
      words.push(className(u) + ' ' + Math.round(values[u] * 100) + '%');
    } else {
      cell.title = 'unit ' + (u + 1) + ': ' + values[u].toFixed(3);
    }
    cells.appendChild(cell);
  }
  cells.setAttribute('aria-label', output ? 'Probabilities: ' + words.join(', ')
    : values.length + ' units, ' + active + ' active (above zero)');
  row.appendChild(cells);
}

/** input: {title, image, activations, layers}. One row per layer: a convolution's or pool's
 *  feature maps, a dense layer's cells; each scaled to the layer's largest value (so a row
 *  shows which units or places fire, not how much). */
function showActivations(input) {
  var box = $('activations');
  if (!box) return;
  var source = $('activations-source');
  if (source) source.textContent = input.title;
  var rows = [];
  var first = document.createElement('div');
  first.className = 'act-layer act-input';
  var head = document.createElement('span');
  head.className = 'act-name';
  head.textContent = 'Input: 28×28 pixels';
  first.appendChild(head);
  var bytes = input.image instanceof Uint8Array ? input.image : Uint8Array.from(input.image, function (v) {
    return Math.round(Math.max(0, Math.min(1, v)) * 255);
  });
  var canvas = Dom.digitCanvas(bytes, 0);
  first.appendChild(canvas);
  rows.push(first);
  var count = input.activations.length;
  input.activations.forEach(function (values, k) {
    var shape = input.layers ? input.layers[k] : null;
    var image = shape && shape.h != null && shape.h * shape.w * shape.c === values.length;
    var output = k === count - 1;
    var row = document.createElement('div');
    row.className = 'act-layer' + (output ? ' act-output' : '') + (image ? ' act-image' : '');
    row.setAttribute('data-layer', String(k + 1));
    if (shape) row.setAttribute('data-kind', shape.kind);
    var name = document.createElement('span');
    name.className = 'act-name';
    var active = 0;
    var max = 1e-12;
    for (var i = 0; i < values.length; i++) {
      max = Math.max(max, values[i]);
      if (values[i] > 0) active++;
    }
    name.textContent = layerName(k, count, image ? shape : null) + ', ' + values.length + ' values' +
      (output ? '' : ' (' + active + ' active)');
    if (!image) name.textContent = name.textContent.replace(' values', ' units');
    row.appendChild(name);
    if (image) mapsRow(row, values, shape, max); else cellsRow(row, values, output, max, active);
    rows.push(row);
  });
  fill(box, rows);
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
    item.querySelector('.prob-value').textContent = probabilities ? (p * 100).toFixed(1) + '%' : '–';
    item.style.setProperty('--p', p.toFixed(4));
    item.classList.toggle('best', i === best);
  }
}

function clear() {
  fill($('weights'), []);
  fill($('activations'), []);
}

export { showWeights, showActivations, showProbabilities, clear };
