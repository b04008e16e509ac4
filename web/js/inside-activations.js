/* inside-activations.js - the activations view (one job: draw every layer's outputs for
 * one chosen input): a convolution's or pool's as one feature map per channel, a dense
 * layer's as one cell per unit, the output layer's named by class.
 *
 * Cheap enough to follow a pen: the elements are built once for a network's layers and
 * then updated in place for every later input with the same layers (a drawing answered
 * frame after frame): each feature map's pixels go straight into its canvas's reused
 * ImageData through a 256-colour table, a cell's shade is a CSS variable, and a text is
 * written only when it changes, so an update adds no canvas, no element and no layout of
 * the page beyond the texts that changed.
 *
 * Exports:
 *   showActivations(input)   input = {title, image: Float32Array|Uint8Array(784) (0..1 or 0..255),
 *                            activations: [[...], ...], layers: [{kind, h, w, c, size}, ...]
 *                            (the prediction's; a layer with h is an image, NHWC)}
 *   activationSteps(input) -> [step(), ...]   the same in steps, for one animation frame each:
 *                            the cells first, then one layer of feature maps per step
 *   clearActivations()       an empty view (the next input builds it anew)
 */
import * as Dom from './dom.js';
import * as Store from './store.js';

var KIND_NAMES = { conv: 'Convolution', pool: 'Max-pool', dense: 'Dense' };

/** Heat colours of t = k/255: black, red, orange, yellow, white (brighter = larger), RGB triples. */
var HEAT = (function () {
  var table = new Uint8Array(256 * 3);
  for (var k = 0; k < 256; k++) {
    var a = k / 255;
    table[3 * k] = Math.round(255 * Math.min(1, 2 * a));
    table[3 * k + 1] = Math.round(255 * Math.max(0, Math.min(1, 2 * a - 0.5)));
    table[3 * k + 2] = Math.round(255 * Math.max(0, 3 * a - 2));
  }
  return table;
})();

var view = null; // what is on screen: {key, source, input: {canvas}, rows: [{name, maps?, cells?}]}

/** A layer's heading: "Convolution (layer 1): 26×26×16, ReLU", "Hidden layer 2: ReLU". */
function layerName(k, count, shape) {
  if (k === count - 1) return 'Output: probabilities';
  if (shape) {
    return KIND_NAMES[shape.kind] + ' (layer ' + (k + 1) + '): ' + shape.h + '×' + shape.w + '×' + shape.c +
      (shape.kind === 'conv' ? ', ReLU' : '');
  }
  return 'Hidden layer ' + (k + 1) + ': ReLU';
}

/** The shape of layer k when its values are an image (h x w x c), else null. */
function imageShape(input, k) {
  var shape = input.layers ? input.layers[k] : null;
  return shape && shape.h != null && shape.h * shape.w * shape.c === input.activations[k].length ? shape : null;
}

/** What decides the elements: the layers' shapes and sizes, and the class names. */
function keyOf(input) {
  return (Store.namedClasses() ? 'names' : 'digits') + '|' + input.activations.map(function (values, k) {
    var s = imageShape(input, k);
    return s ? s.kind + ':' + s.h + 'x' + s.w + 'x' + s.c : (input.layers && input.layers[k] ? input.layers[k].kind : '') + ':' + values.length;
  }).join(',');
}

/* ---- building the elements for a network's layers ---- */

function buildMaps(row, shape) {
  var box = Dom.el('div', 'act-maps');
  box.setAttribute('role', 'img');
  box.setAttribute('aria-label', shape.c + ' feature maps of ' + shape.h + ' × ' + shape.w);
  var maps = [];
  for (var c = 0; c < shape.c; c++) {
    var canvas = document.createElement('canvas');
    canvas.width = shape.w;
    canvas.height = shape.h;
    canvas.className = 'act-map';
    canvas.title = 'channel ' + (c + 1);
    var ctx = canvas.getContext('2d');
    maps.push({ ctx: ctx, image: ctx.createImageData(shape.w, shape.h) });
    box.appendChild(canvas);
  }
  row.appendChild(box);
  return maps;
}

function buildCells(row, n, output) {
  var box = Dom.el('div', 'act-cells');
  box.setAttribute('role', 'img');
  var cells = [];
  for (var u = 0; u < n; u++) {
    var cell = Dom.el('span', 'act-cell', output ? Store.className(u) : null);
    cells.push(cell);
    box.appendChild(cell);
  }
  row.appendChild(box);
  return { box: box, cells: cells, shades: new Array(n).fill(''), best: -1 };
}

function build(input, key) {
  var box = Dom.$('activations');
  var first = Dom.el('div', 'act-layer act-input');
  first.appendChild(Dom.el('span', 'act-name', 'Input: 28×28 pixels'));
  var canvas = Dom.digitCanvas(new Uint8Array(784), 0);
  first.appendChild(canvas);
  var elements = [first];
  var count = input.activations.length;
  var rows = input.activations.map(function (values, k) {
    var shape = imageShape(input, k);
    var output = k === count - 1;
    var row = Dom.el('div', 'act-layer' + (output ? ' act-output' : '') + (shape ? ' act-image' : ''));
    row.setAttribute('data-layer', String(k + 1));
    if (input.layers && input.layers[k]) row.setAttribute('data-kind', input.layers[k].kind);
    var name = Dom.el('span', 'act-name');
    row.appendChild(name);
    elements.push(row);
    var r = { name: name, shape: shape, output: output, heading: layerName(k, count, shape) };
    if (shape) r.maps = buildMaps(row, shape); else r.cells = buildCells(row, values.length, output);
    return r;
  });
  Dom.fill(box, elements);
  return { key: key, source: Dom.$('activations-source'), input: canvas, rows: rows };
}

/* ---- updating them for one input ---- */

function paintMaps(maps, values, shape, max) {
  var pixels = shape.h * shape.w;
  var scale = 255 / max;
  for (var c = 0; c < shape.c; c++) {
    var d = maps[c].image.data;
    for (var p = 0; p < pixels; p++) {
      var v = values[p * shape.c + c] * scale;
      var t = 3 * (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));
      d[4 * p] = HEAT[t];
      d[4 * p + 1] = HEAT[t + 1];
      d[4 * p + 2] = HEAT[t + 2];
      d[4 * p + 3] = 255;
    }
    maps[c].ctx.putImageData(maps[c].image, 0, 0);
  }
}

function paintCells(r, values, max, active) {
  var cells = r.cells.cells, shades = r.cells.shades;
  var best = 0;
  for (var j = 0; j < values.length; j++) if (values[j] > values[best]) best = j;
  if (r.output && best !== r.cells.best) {
    if (r.cells.best >= 0) cells[r.cells.best].classList.remove('best');
    cells[best].classList.add('best');
    r.cells.best = best;
  }
  var words = [];
  for (var u = 0; u < values.length; u++) {
    var cell = cells[u];
    var shade = (values[u] / max).toFixed(3);
    if (shade !== shades[u]) { // (a style change only where the shade moved: most units rest)
      cell.style.setProperty('--v', shade);
      shades[u] = shade;
    }
    if (r.output) {
      cell.title = Store.className(u) + ': ' + (values[u] * 100).toFixed(1) + '%';
      words.push(Store.className(u) + ' ' + Math.round(values[u] * 100) + '%');
    } else {
      cell.title = 'unit ' + (u + 1) + ': ' + values[u].toFixed(3);
    }
  }
  r.cells.box.setAttribute('aria-label', r.output ? 'Probabilities: ' + words.join(', ')
    : values.length + ' units, ' + active + ' active (above zero)');
}

/** Layer k's row for values: its heading (with the count of active units) and its maps or cells. */
function showLayer(r, values) {
  var active = 0;
  var max = 1e-12;
  for (var i = 0; i < values.length; i++) {
    if (values[i] > max) max = values[i];
    if (values[i] > 0) active++;
  }
  Dom.setText(r.name, r.heading + ', ' + values.length + (r.shape ? ' values' : ' units') + (r.output ? '' : ' (' + active + ' active)'));
  if (r.shape) paintMaps(r.maps, values, r.shape, max); else paintCells(r, values, max, active);
}

/** The view of `input` as steps to run in order, one per animation frame if the caller
 *  likes: the first shows the title, the input and every layer of cells; each other one a
 *  layer of feature maps (so a CNN's 96 maps need not all be painted in one frame). A step
 *  run after another input's view was built does nothing. */
function activationSteps(input) {
  if (!Dom.$('activations')) return [];
  var key = keyOf(input);
  if (!view || view.key !== key || !view.input.isConnected) view = build(input, key);
  var v = view;
  var first = function () {
    if (view !== v) return;
    if (v.source) Dom.setText(v.source, input.title);
    var bytes = input.image instanceof Uint8Array ? input.image : Uint8Array.from(input.image, function (x) {
      return Math.round(Math.max(0, Math.min(1, x)) * 255);
    });
    Dom.drawDigit(v.input, bytes, 0);
    input.activations.forEach(function (values, k) {
      if (!v.rows[k].shape) showLayer(v.rows[k], values);
    });
  };
  return [first].concat(input.activations.map(function (values, k) {
    return v.rows[k].shape ? function () { if (view === v) showLayer(v.rows[k], values); } : null;
  }).filter(Boolean));
}

/** One row per layer, each scaled to the layer's largest value (so a row shows which units
 *  or places fire, not how much), all at once. */
function showActivations(input) {
  activationSteps(input).forEach(function (step) { step(); });
}

function clearActivations() {
  view = null;
  Dom.fill(Dom.$('activations'), []);
}

export { showActivations, activationSteps, clearActivations };
