/* inspect.js - looking inside the network (one job: draw what the worker
 * reports about the network itself): the first layer's weights as 28x28
 * images, one per hidden unit, and the gallery of misclassified test images. */
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
    var ctx = canvas.getContext('2d');
    var img = ctx.createImageData(SIDE, SIDE);
    for (var k = 0; k < SIDE * SIDE; k++) {
      var v = images[offset + k];
      img.data[4 * k] = img.data[4 * k + 1] = img.data[4 * k + 2] = v;
      img.data[4 * k + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
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

  var lastMistakes = null;

  function renderMistakes() {
    var list = document.getElementById('mistakes');
    if (!list || !lastMistakes) return;
    var m = lastMistakes;
    var order = m.items.map(function (item, k) { return k; });
    var sort = document.getElementById('mistakes-sort');
    if (sort && sort.value === 'least') order.reverse();
    var names = window.MnistInspect.classNames || null;
    var label = function (c) { return names ? names[c] : String(c); };
    fill(list, order.map(function (k) {
      var item = m.items[k];
      var li = document.createElement('li');
      li.className = 'mistake';
      li.setAttribute('data-label', String(item.label));
      li.setAttribute('data-predicted', String(item.predicted));
      li.setAttribute('data-index', String(item.index));
      var canvas = digitCanvas(m.images, k * SIDE * SIDE);
      canvas.setAttribute('aria-hidden', 'true');
      li.appendChild(canvas);
      var caption = document.createElement('span');
      caption.textContent = label(item.label) + ' → ' + label(item.predicted) + ' · ' + Math.round(item.confidence * 100) + '%';
      li.setAttribute('title', 'Test image ' + item.index + ': true ' + label(item.label) + ', predicted ' +
        label(item.predicted) + ' with ' + (item.confidence * 100).toFixed(1) + '% confidence');
      li.appendChild(caption);
      return li;
    }));
    var summary = document.getElementById('mistakes-summary');
    if (summary) {
      summary.textContent = m.total.toLocaleString('en-US') + ' of the test images are misclassified; ' +
        (m.items.length < m.total ? 'showing ' + m.items.length + ', ' : '') +
        (sort && sort.value === 'least' ? 'least' : 'most') + ' confident first.';
    }
  }

  /** m: the worker's `mistakes` message. */
  function showMistakes(m) {
    lastMistakes = m;
    renderMistakes();
  }

  function clear() {
    lastMistakes = null;
    ['weights', 'mistakes'].forEach(function (id) {
      var list = document.getElementById(id);
      if (list) fill(list, []);
    });
    var summary = document.getElementById('mistakes-summary');
    if (summary) summary.textContent = 'Mistakes appear after an epoch, a pause or a step.';
  }

  document.addEventListener('DOMContentLoaded', function () {
    var sort = document.getElementById('mistakes-sort');
    if (sort) sort.addEventListener('change', renderMistakes);
  });

  window.MnistInspect = { showWeights: showWeights, showMistakes: showMistakes, clear: clear, classNames: null };
})();
