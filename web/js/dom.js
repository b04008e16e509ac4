/* dom.js - the page's one set of DOM helpers (every other script uses these; none
 * defines its own).
 *
 * Exports:
 *   $(id)                          document.getElementById
 *   el(tag, cls, text)             a new element
 *   setText(idOrElement, text)     sets textContent only when it differs (no needless repaint)
 *   fill(parent, children)         replaces the children of `parent`
 *   drawDigit(canvas, bytes, offset)   one 28x28 image (bytes 0..255) onto a canvas
 *   digitCanvas(bytes, offset)     a new 28x28 canvas (aria-hidden) showing one image
 */
var SIDE = 28;

function $(id) { return document.getElementById(id); }

function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

function setText(id, text) {
  var e = typeof id === 'string' ? $(id) : id;
  if (e && e.textContent !== text) e.textContent = text;
}

function fill(parent, children) {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  children.forEach(function (child) { parent.appendChild(child); });
}

function drawDigit(canvas, pixels, offset) {
  var ctx = canvas.getContext('2d');
  var img = ctx.createImageData(SIDE, SIDE);
  var d = img.data;
  for (var j = 0; j < SIDE * SIDE; j++) {
    var v = pixels[offset + j];
    var k = j * 4;
    d[k] = d[k + 1] = d[k + 2] = v;
    d[k + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function digitCanvas(pixels, offset) {
  var canvas = document.createElement('canvas');
  canvas.width = canvas.height = SIDE;
  drawDigit(canvas, pixels, offset);
  canvas.setAttribute('aria-hidden', 'true');
  return canvas;
}

export { $, el, setText, fill, drawDigit, digitCanvas };
