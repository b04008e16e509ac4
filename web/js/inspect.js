/* inspect.js - looking inside the network (one job: draw what the worker reports
 * about the network itself): the first layer's weights as 28x28 images, one per
 * hidden unit, every layer's activations for one chosen input, and the 10
 * probability bars.
 *
 * Public: window.MnistInspect = {
 *   showWeights(m)                       the worker's `weights` message
 *   showProbabilities(list, probabilities | null)   10 bars, one per class
 *   showActivations(input)               {title, image: Float32Array|Uint8Array(784) (0..1 or 0..255),
 *                                         activations: [[...], ...]}
 *   clear()
 * }
 */
(function () {
  'use strict';

  var Dom = window.MnistDom;
  var Store = window.MnistStore;
  var $ = Dom.$, fill = Dom.fill;
  var SIDE = 28;

  function className(k) { return Store.className(k); }

  /* Diverging colour map: negative blue, zero white, positive red; t in [-1, 1]. */
  function diverging(t) {
    var a = Math.min(1, Math.abs(t));
    var fade = Math.round(255 * (1 - a));
    return t < 0 ? [fade, Math.round(255 - 155 * a), 255] : [255, Math.round(255 - 155 * a), fade];
  }

  function unitCanvas(values, offset) {
    var canvas = document.createElement('canvas');
    canvas.width = canvas.height = SIDE;
    var ctx = canvas.getContext('2d');
    var img = ctx.createImageData(SIDE, SIDE);
    var max = 1e-12;
    for (var i = 0; i < SIDE * SIDE; i++) max = Math.max(max, Math.abs(values[offset + i]));
    for (var k = 0; k < SIDE * SIDE; k++) {
      var c = diverging(values[offset + k] / max);
      img.data[4 * k] = c[0];
      img.data[4 * k + 1] = c[1];
      img.data[4 * k + 2] = c[2];
      img.data[4 * k + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    return canvas;
  }

  /** m: the worker's `weights` message. */
  function showWeights(m) {
    var list = $('weights');
    if (!list) return;
    var items = [];
    for (var u = 0; u < m.units; u++) {
      var li = document.createElement('li');
      li.className = 'weight-unit';
      li.setAttribute('data-unit', String(u));
      var canvas = unitCanvas(m.values, u * SIDE * SIDE);
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', 'Weights of hidden unit ' + (u + 1));
      li.appendChild(canvas);
      items.push(li);
    }
    fill(list, items);
    var empty = $('weights-empty');
    if (empty) empty.hidden = m.units > 0;
  }

  /* ---- activations ---- */

  function layerName(k, layers) {
    return k === layers - 1 ? 'Output: probabilities' : 'Hidden layer ' + (k + 1) + ': ReLU';
  }

  /** input: {title, image, activations}. One row per layer; each cell's darkness is
   *  its value over the layer's largest (so a row shows which units fire, not how much). */
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
    head.textContent = 'Input: 784 pixels';
    first.appendChild(head);
    var bytes = input.image instanceof Uint8Array ? input.image : Uint8Array.from(input.image, function (v) {
      return Math.round(Math.max(0, Math.min(1, v)) * 255);
    });
    var canvas = Dom.digitCanvas(bytes, 0);
    first.appendChild(canvas);
    rows.push(first);
    var layers = input.activations.length;
    input.activations.forEach(function (values, k) {
      var row = document.createElement('div');
      row.className = 'act-layer' + (k === layers - 1 ? ' act-output' : '');
      row.setAttribute('data-layer', String(k + 1));
      var name = document.createElement('span');
      name.className = 'act-name';
      var active = 0;
      var max = 1e-12;
      for (var i = 0; i < values.length; i++) {
        max = Math.max(max, values[i]);
        if (values[i] > 0) active++;
      }
      name.textContent = layerName(k, layers) + ', ' + values.length + ' units' +
        (k < layers - 1 ? ' (' + active + ' active)' : '');
      row.appendChild(name);
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
        if (k === layers - 1) {
          cell.textContent = className(u);
          if (u === best) cell.classList.add('best');
          cell.title = className(u) + ': ' + (values[u] * 100).toFixed(1) + '%';
          words.push(className(u) + ' ' + Math.round(values[u] * 100) + '%');
        } else {
          cell.title = 'unit ' + (u + 1) + ': ' + values[u].toFixed(3);
        }
        cells.appendChild(cell);
      }
      cells.setAttribute('aria-label', k === layers - 1 ? 'Probabilities: ' + words.join(', ')
        : values.length + ' units, ' + active + ' active (above zero)');
      row.appendChild(cells);
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

  window.MnistInspect = {
    showWeights: showWeights,
    showActivations: showActivations,
    showProbabilities: showProbabilities,
    clear: clear
  };
})();
