/* preprocess.js - a drawing into the 28x28 input the network sees, done the way MNIST
 * was made (one job, pure functions, no DOM): crop to the ink, fit it into 20x20
 * keeping the aspect ratio with area averaging (anti-aliased grey levels), then centre
 * it by its centre of mass in a 28x28 image. The ink is drawn with a pen as wide,
 * relative to the drawing's size, as MNIST's strokes are (inkPen): about 2.3 of the
 * 20 pixels, whatever the size of the writing or the pen the person sees. Measured on
 * scripts/handwriting/ (scripts/handwriting.js): the cnn preset read 96.3-96.9% of its
 * digits with the pad's own pen, 98.0-98.7% with this one (seeds 1-3).
 * tests/draw.test.js tests it in Node.
 *
 * Exports:
 *   preprocess(ink, width, height) -> Float32Array(784) | null
 *     ink: width*height intensities, row-major; Uint8Array/Uint8ClampedArray
 *     hold 0..255, anything else (Float32Array, Float64Array, Array) 0..1.
 *     null when there is no ink (every value below half a grey level).
 *   boundingBox(ink, width, height, threshold) -> {x0, y0, x1, y1} | null
 *     the pixels at or above threshold; x1 and y1 are exclusive.
 *   centreOfMass(img, width = 28, height = 28) -> {x, y}
 *     intensity-weighted mean of pixel centres (pixel i spans [i, i+1));
 *     the image centre for an all-zero image.
 *   inkPen(strokes, width, height) -> pen width in pixels
 *     the pen to draw strokes ([[{x, y}, ...], ...], 0..1 of a width x height
 *     canvas) with for preprocess: PEN_OF_BOX times the longer side of the
 *     points' bounding box in pixels, at least 1.
 *   SIDE (28), FIT (20), PEN_OF_BOX (0.13).
 */
var SIDE = 28;
var FIT = 20;
/* The pen over the longer side of the strokes' box: the ink's box is then 1.13 times
 * that side, so strokes come out 20 * 0.13 / 1.13 = 2.3 pixels wide in the 20x20
 * fit, as MNIST's (2-3). Wider read the handwriting set a little better (0.17: 98.6-
 * 99.0%) but MNIST's own digits retraced row by row (already as thick as MNIST's)
 * worse (94.1% against 96.6%). */
var PEN_OF_BOX = 0.13;
/* Values below half a grey level would round to 0 in an 8-bit image. */
var NO_INK = 0.5 / 255;

/* 255 for 8-bit unsigned arrays, else 1 (works across realms). */
function fullScale(ink) {
  var tag = Object.prototype.toString.call(ink);
  return tag === '[object Uint8Array]' || tag === '[object Uint8ClampedArray]' ? 255 : 1;
}

function checkImage(ink, width, height) {
  if (!ink || typeof ink.length !== 'number') throw new TypeError('ink must be an array-like of intensities');
  if (!(width > 0 && height > 0) || width % 1 !== 0 || height % 1 !== 0) {
    throw new RangeError('width and height must be positive integers');
  }
  if (ink.length < width * height) throw new RangeError('ink holds ' + ink.length + ' values, need ' + width * height);
}

function boundingBox(ink, width, height, threshold) {
  checkImage(ink, width, height);
  if (threshold === undefined) threshold = NO_INK * fullScale(ink);
  var x0 = width, x1 = -1, y0 = -1, y1 = -1;
  for (var y = 0; y < height; y++) {
    var row = y * width;
    var first = -1;
    for (var x = 0; x < width; x++) {
      if (ink[row + x] >= threshold) { first = x; break; }
    }
    if (first < 0) continue;
    var last = first;
    for (var r = width - 1; r > first; r--) {
      if (ink[row + r] >= threshold) { last = r; break; }
    }
    if (y0 < 0) y0 = y;
    y1 = y;
    if (first < x0) x0 = first;
    if (last > x1) x1 = last;
  }
  if (y0 < 0) return null;
  return { x0: x0, y0: y0, x1: x1 + 1, y1: y1 + 1 };
}

function centreOfMass(img, width, height) {
  width = width || SIDE;
  height = height || SIDE;
  var total = 0, sx = 0, sy = 0;
  for (var y = 0; y < height; y++) {
    for (var x = 0; x < width; x++) {
      var v = img[y * width + x];
      if (!(v > 0)) continue;
      total += v;
      sx += v * (x + 0.5);
      sy += v * (y + 0.5);
    }
  }
  if (total === 0) return { x: width / 2, y: height / 2 };
  return { x: sx / total, y: sy / total };
}

/**
 * Box-filter weights along one axis: output pixel o covers the input span
 * [o * inLen / outLen, (o + 1) * inLen / outLen); each input pixel counts by
 * the length of its overlap, so edges get fractional coverage. The weights
 * of one output pixel sum to 1 (a mean), shrinking or enlarging alike.
 */
function axisWeights(inLen, outLen) {
  var ratio = inLen / outLen;
  var taps = [];
  for (var o = 0; o < outLen; o++) {
    var start = o * inLen / outLen;
    var end = (o + 1) * inLen / outLen;
    var index = [], weight = [];
    for (var k = Math.floor(start), stop = Math.min(inLen, Math.ceil(end)); k < stop; k++) {
      var overlap = Math.min(k + 1, end) - Math.max(k, start);
      if (overlap > 1e-9) { index.push(k); weight.push(overlap / ratio); }
    }
    taps.push({ index: index, weight: weight });
  }
  return taps;
}

/** The crop box's size once fitted into FIT x FIT, keeping its aspect. */
function fittedSize(boxW, boxH) {
  if (boxW >= boxH) return { w: FIT, h: Math.max(1, Math.round(boxH * FIT / boxW)) };
  return { w: Math.max(1, Math.round(boxW * FIT / boxH)), h: FIT };
}

function preprocess(ink, width, height) {
  checkImage(ink, width, height);
  var full = fullScale(ink);
  var box = boundingBox(ink, width, height, NO_INK * full);
  if (!box) return null;
  var boxW = box.x1 - box.x0, boxH = box.y1 - box.y0;
  var size = fittedSize(boxW, boxH);
  var xTaps = axisWeights(boxW, size.w);
  var yTaps = axisWeights(boxH, size.h);

  // Separable area averaging: rows first (every input row of the box to
  // size.w columns), then columns. Values become 0..1 here.
  var rows = new Float64Array(boxH * size.w);
  var toUnit = 1 / full;
  for (var y = 0; y < boxH; y++) {
    var src = (box.y0 + y) * width + box.x0;
    for (var ox = 0; ox < size.w; ox++) {
      var tx = xTaps[ox], sum = 0;
      for (var i = 0; i < tx.index.length; i++) sum += tx.weight[i] * ink[src + tx.index[i]];
      rows[y * size.w + ox] = sum * toUnit;
    }
  }
  var fitted = new Float64Array(size.w * size.h);
  for (var oy = 0; oy < size.h; oy++) {
    var ty = yTaps[oy];
    for (var cx = 0; cx < size.w; cx++) {
      var acc = 0;
      for (var j = 0; j < ty.index.length; j++) acc += ty.weight[j] * rows[ty.index[j] * size.w + cx];
      fitted[oy * size.w + cx] = Math.min(1, Math.max(0, acc));
    }
  }

  // Shift by whole pixels so the centre of mass lands on the image centre,
  // but never so far that part of the fitted digit would fall off.
  var com = centreOfMass(fitted, size.w, size.h);
  var left = clampInt(Math.round(SIDE / 2 - com.x), 0, SIDE - size.w);
  var top = clampInt(Math.round(SIDE / 2 - com.y), 0, SIDE - size.h);
  var out = new Float32Array(SIDE * SIDE);
  for (var fy = 0; fy < size.h; fy++) {
    for (var fx = 0; fx < size.w; fx++) out[(top + fy) * SIDE + left + fx] = fitted[fy * size.w + fx];
  }
  return out;
}

function inkPen(strokes, width, height) {
  if (!(width > 0 && height > 0)) throw new RangeError('width and height must be positive');
  var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (var s = 0; s < strokes.length; s++) {
    for (var i = 0; i < strokes[s].length; i++) {
      var p = strokes[s][i];
      if (p.x < x0) x0 = p.x;
      if (p.x > x1) x1 = p.x;
      if (p.y < y0) y0 = p.y;
      if (p.y > y1) y1 = p.y;
    }
  }
  if (x1 < x0) throw new RangeError('inkPen needs at least one point');
  return Math.max(1, PEN_OF_BOX * Math.max((x1 - x0) * width, (y1 - y0) * height));
}

function clampInt(v, lo, hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

export { SIDE, FIT, PEN_OF_BOX, preprocess, boundingBox, centreOfMass, inkPen };
