/* confusion.js - the test set's confusion matrix, per-class accuracy, and the images
 * of a chosen cell (one job: draw what an evaluation says about each class).
 *
 * #confusion holds exactly 100 buttons in row-major order (row = true label, column =
 * predicted label), each with data-label, data-predicted and data-count. One of them is
 * in the tab order at a time (roving tabindex): the arrow keys move between cells, Home
 * and End go to the ends of a row, Enter or Space (or a click) asks for that cell's images.
 *
 * Exports:
 *   init({onCell(label, predicted)})   binds the events
 *   relabel()                          after a change of dataset: the class names (store.js: className)
 *                                      and the #class-names line
 *   update(matrix)                     10x10 counts from an evaluation
 *   clear()                            back to empty (fresh network, new data)
 *   showCell(m)                        the worker's `cell` message: that cell's images
 *   selected()                         {label, predicted} of the open cell, or null
 */
import * as Dom from './dom.js';
import * as Store from './store.js';
import * as Gallery from './gallery.js';

var $ = Dom.$, el = Dom.el;
var handlers = {};
var cells = [];      // 100 buttons, row-major
var counts = null;   // the last matrix shown
var open = null;     // {label, predicted} whose images are shown

function className(k) { return Store.className(k); }

function build() {
  var cols = document.querySelector('.conf-cols');
  var rows = document.querySelector('.conf-rows');
  var grid = $('confusion');
  var perClass = $('class-accuracy');
  if (!grid) return;
  [cols, rows, grid, perClass].forEach(function (e) { if (e) e.textContent = ''; });
  cells = [];
  for (var k = 0; k < 10; k++) {
    var head = el('span', 'conf-head', String(k));
    head.title = className(k);
    if (cols) cols.appendChild(head);
    var side = el('span', 'conf-head', String(k));
    side.title = className(k);
    if (rows) rows.appendChild(side);
    var item = el('li', 'class-acc');
    item.setAttribute('data-class', String(k));
    item.appendChild(el('span', 'class-acc-value', '—'));
    if (perClass) perClass.appendChild(item);
  }
  for (var r = 0; r < 10; r++) {
    for (var c = 0; c < 10; c++) {
      var b = el('button', 'conf-cell ' + (r === c ? 'diag' : 'off'), '·');
      b.type = 'button';
      b.setAttribute('data-label', String(r));
      b.setAttribute('data-predicted', String(c));
      b.setAttribute('data-count', '0');
      b.tabIndex = r === 0 && c === 0 ? 0 : -1;
      cells.push(b);
      grid.appendChild(b);
    }
  }
  counts = null;
  describeAll();
}

/** A cell's name says what its colour does: right or wrong, and its share of the row. */
function describe(b, r, c, v, total) {
  var what = r === c ? 'right' : 'wrong';
  var share = total ? ', ' + (v / total * 100).toFixed(1) + '% of the true ' + className(r) : '';
  b.setAttribute('aria-label', 'True ' + className(r) + ', predicted ' + className(c) + ': ' +
    (counts ? v.toLocaleString('en-US') + (v === 1 ? ' image' : ' images') + ' (' + what + share + ')' : 'not evaluated yet'));
  b.title = b.getAttribute('aria-label');
}

function describeAll() {
  for (var i = 0; i < cells.length; i++) describe(cells[i], Math.floor(i / 10), i % 10, 0, 0);
}

function update(m) {
  if (!cells.length) build();
  counts = m;
  var perClass = $('class-accuracy');
  for (var r = 0; r < 10; r++) {
    var row = m[r] || [];
    var total = 0;
    for (var k = 0; k < 10; k++) total += Number(row[k]) || 0;
    for (var c = 0; c < 10; c++) {
      var v = Number(row[c]) || 0;
      var b = cells[r * 10 + c];
      var share = total ? v / total : 0;
      b.textContent = String(v);
      b.setAttribute('data-count', String(v));
      // Shade (0..1, styles.css scales it) by the share of the row: the diagonal in
      // green, mistakes in red, made more visible (mistakes are small shares).
      var a = r === c ? 0.15 + 0.85 * share : Math.min(1, Math.sqrt(share) * 1.9);
      b.style.setProperty('--a', v === 0 ? '0' : a.toFixed(3));
      b.classList.toggle('strong', a > 0.6 && v > 0);
      b.classList.toggle('zero', v === 0);
      describe(b, r, c, v, total);
    }
    var item = perClass && perClass.children[r];
    if (item) {
      var acc = total ? (Number(row[r]) || 0) / total : NaN;
      var text = isFinite(acc) ? (acc * 100).toFixed(1) + '%' : '—';
      item.firstChild.textContent = text;
      item.style.setProperty('--acc', isFinite(acc) ? acc.toFixed(4) : '0');
      item.setAttribute('aria-label', className(r) + ': ' + text + ' right' +
        (total ? ' (' + (Number(row[r]) || 0).toLocaleString('en-US') + ' of ' + total.toLocaleString('en-US') + ')' : ''));
      item.title = item.getAttribute('aria-label');
    }
  }
}

function clear() {
  build();
  closeCell();
}

function closeCell() {
  open = null;
  var box = $('cell-box');
  if (box) box.hidden = true;
  var list = $('cell-images');
  if (list) list.textContent = '';
  cells.forEach(function (b) { b.removeAttribute('aria-pressed'); });
}

function choose(b) {
  var label = Number(b.getAttribute('data-label'));
  var predicted = Number(b.getAttribute('data-predicted'));
  cells.forEach(function (x) { x.setAttribute('aria-pressed', x === b ? 'true' : 'false'); });
  open = { label: label, predicted: predicted };
  var box = $('cell-box');
  if (box) box.hidden = false;
  var title = $('cell-title');
  if (title) title.textContent = 'True ' + className(label) + ', predicted ' + className(predicted) + ': loading…';
  if (handlers.onCell) handlers.onCell(label, predicted);
}

function focusCell(i) {
  if (i < 0 || i >= cells.length) return;
  cells.forEach(function (b, k) { b.tabIndex = k === i ? 0 : -1; });
  cells[i].focus();
}

function showCell(m) {
  if (!open || m.label !== open.label || m.predicted !== open.predicted) return; // an older request
  var list = $('cell-images');
  var title = $('cell-title');
  var right = m.label === m.predicted;
  if (title) {
    title.textContent = 'True ' + className(m.label) + ', predicted ' + className(m.predicted) + ': ' +
      m.total.toLocaleString('en-US') + (m.total === 1 ? ' image' : ' images') +
      (m.items.length < m.total ? ', showing the ' + m.items.length + ' ' + (right ? 'least' : 'most') + ' confident' : '') +
      (m.total ? '. Pick one to see its activations.' : '.');
  }
  if (!list) return;
  Gallery.fill(list, m.items, m.images, {
    cls: 'mistake' + (right ? ' right' : ''),
    caption: function (span, entry) { span.textContent = Math.round(entry.confidence * 100) + '%'; }
  });
}

function relabel() {
  var names = $('class-names');
  names.hidden = !Store.namedClasses();
  names.textContent = Store.namedClasses()
    ? 'Classes: ' + [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(function (k) { return k + ' ' + className(k); }).join(' · ') : '';
  build();
  closeCell();
}

function init(h) {
  handlers = h || {};
  build();
  var grid = $('confusion');
  grid.addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('.conf-cell');
    if (!b) return;
    focusCell(cells.indexOf(b));
    choose(b);
  });
  grid.addEventListener('keydown', function (e) {
    var i = cells.indexOf(document.activeElement);
    if (i < 0) return;
    var r = Math.floor(i / 10), c = i % 10;
    var next = { ArrowLeft: c > 0 ? i - 1 : i, ArrowRight: c < 9 ? i + 1 : i, ArrowUp: r > 0 ? i - 10 : i,
      ArrowDown: r < 9 ? i + 10 : i, Home: r * 10, End: r * 10 + 9 }[e.key];
    if (next == null) return;
    e.preventDefault();
    focusCell(next);
  });
}

export function selected() { return open ? { label: open.label, predicted: open.predicted } : null; }
export { init, relabel, update, clear, showCell };
