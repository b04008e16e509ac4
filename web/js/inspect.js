/* inspect.js - looking inside the network (one job: draw what the worker
 * reports about the network itself): the first layer's weights as 28x28
 * images, one per hidden unit, the gallery of misclassified test images, and
 * every layer's activations for one chosen input.
 *
 * Public: window.MnistInspect = {
 *   init({onPick(testIndex), onMistakesOrder(order)})
 *   showWeights(m), showMistakes(m)      the worker's `weights` / `mistakes` messages
 *   mistakesOrder()                      'most' | 'least' (the sort select)
 *   showProbabilities(list, probabilities | null)   10 bars, one per class
 *   className(k)                         the digit, or the Fashion-MNIST name (MnistUI's)
 *   showActivations(input)               {title, image: Float32Array|Uint8Array(784) (0..1 or 0..255),
 *                                         activations: [[...], ...]}
 *   bindPick(list)                       items with data-index in `list` pick that test image
 *   digitCanvas(images, offset)          a 28x28 canvas of one image (bytes)
 *   clear()
 * }
 */
'use strict';

(function () {
  var SIDE = 28;

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

  function digitCanvas(images, offset) {
    var canvas = document.createElement('canvas');
    canvas.width = canvas.height = SIDE;
    window.MnistUI.drawDigit(canvas, images, offset);
    canvas.setAttribute('aria-hidden', 'true');
    return canvas;
  }


  /* Replaces the children of `list` with `items`, reusing nothing (small lists). */
  function fill(list, items) {
    while (list.firstChild) list.removeChild(list.firstChild);
    items.forEach(function (item) { list.appendChild(item); });
  }

  /** m: the worker's `weights` message. */
  function showWeights(m) {
    var list = document.getElementById('weights');
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
    var empty = document.getElementById('weights-empty');
    if (empty) empty.hidden = m.units > 0;
  }

  var handlers = {};

  function mistakesOrder() {
    var sort = document.getElementById('mistakes-sort');
    return sort && sort.value === 'least' ? 'least' : 'most';
  }

  function className(c) { return window.MnistUI.className(c); }

  /** m: the worker's `mistakes` message, already in the order asked for. */
  function showMistakes(m) {
    var list = document.getElementById('mistakes');
    if (!list) return;
    fill(list, m.items.map(function (item, k) {
      var li = document.createElement('li');
      li.className = 'mistake';
      li.setAttribute('data-label', String(item.label));
      li.setAttribute('data-predicted', String(item.predicted));
      li.setAttribute('data-index', String(item.index));
      li.setAttribute('role', 'button');
      li.tabIndex = 0;
      li.appendChild(digitCanvas(m.images, k * SIDE * SIDE));
      var caption = document.createElement('span');
      caption.textContent = className(item.label) + ' → ' + className(item.predicted) + ' · ' + Math.round(item.confidence * 100) + '%';
      var desc = 'Test image ' + item.index + ': true ' + className(item.label) + ', predicted ' +
        className(item.predicted) + ' with ' + (item.confidence * 100).toFixed(1) + '% confidence';
      li.setAttribute('aria-label', desc);
      li.setAttribute('title', desc);
      li.appendChild(caption);
      return li;
    }));
    var summary = document.getElementById('mistakes-summary');
    if (summary) {
      summary.textContent = m.total.toLocaleString('en-US') + ' of the test images are misclassified; ' +
        (m.items.length < m.total ? 'showing ' + m.items.length + ', ' : '') +
        (m.order === 'least' ? 'least' : 'most') + ' confident first.';
    }
  }

  /* ---- activations ---- */

  function layerName(k, layers) {
    return k === layers - 1 ? 'Output: probabilities' : 'Hidden layer ' + (k + 1) + ': ReLU';
  }

  /** input: {title, image, activations}. One row per layer; each cell's darkness is
   *  its value over the layer's largest (so a row shows which units fire, not how much). */
  function showActivations(input) {
    var box = document.getElementById('activations');
    if (!box) return;
    var source = document.getElementById('activations-source');
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
    var canvas = digitCanvas(bytes, 0);
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
    var key = window.MnistUI.classNames() ? 'names' : 'digits';
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

  /** Items with data-index in `list` (clicked, or Enter/Space when focused) pick that test image. */
  function bindPick(list) {
    if (!list) return;
    var pick = function (e) {
      var item = e.target.closest && e.target.closest('[data-index]');
      if (!item || !list.contains(item) || !handlers.onPick) return;
      handlers.onPick(Number(item.getAttribute('data-index')));
    };
    list.addEventListener('click', pick);
    list.addEventListener('keydown', function (e) {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      pick(e);
    });
  }

  function clear() {
    ['weights', 'mistakes', 'activations'].forEach(function (id) {
      var list = document.getElementById(id);
      if (list) fill(list, []);
    });
    var summary = document.getElementById('mistakes-summary');
    if (summary) summary.textContent = 'Mistakes appear after an epoch, a pause or a step.';
  }

  function init(h) {
    handlers = h || {};
    var sort = document.getElementById('mistakes-sort');
    if (sort) {
      sort.addEventListener('change', function () {
        if (handlers.onMistakesOrder) handlers.onMistakesOrder(mistakesOrder());
      });
    }
    ['predictions', 'mistakes', 'cell-images'].forEach(function (id) { bindPick(document.getElementById(id)); });
  }

  window.MnistInspect = {
    init: init,
    showWeights: showWeights,
    showMistakes: showMistakes,
    mistakesOrder: mistakesOrder,
    showActivations: showActivations,
    showProbabilities: showProbabilities,
    className: className,
    bindPick: bindPick,
    digitCanvas: digitCanvas,
    clear: clear
  };
})();
