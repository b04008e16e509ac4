'use strict';
/**
 * The drawing pad's preprocessing (web/js/preprocess.js) in plain Node: a drawing
 * becomes a 28x28 image the MNIST way - cropped to the ink, fitted into 20x20
 * with its aspect kept and area averaging, centred by its centre of mass.
 * Shapes are drawn into 280x280 ink images like the pad's offscreen canvas.
 */

const assert = require('node:assert/strict');
const { test } = require('node:test');

const Draw = require('../web/js/preprocess.js');

const W = 280;
const H = 280;
const SIDE = 28;

function blank(Type = Uint8ClampedArray) {
  return new Type(W * H);
}

/** Fills the rectangle [x, x + w) x [y, y + h) with value. */
function rect(ink, x, y, w, h, value = 255) {
  for (let r = y; r < y + h; r++) {
    for (let c = x; c < x + w; c++) ink[r * W + c] = value;
  }
  return ink;
}

function sum(values) {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/** Bounding box of the pixels above t in a 28x28 image (x1, y1 exclusive). */
function extent(img, t = 0.5) {
  let x0 = SIDE, y0 = SIDE, x1 = -1, y1 = -1;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      if (img[y * SIDE + x] > t) {
        x0 = Math.min(x0, x); x1 = Math.max(x1, x);
        y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1, w: x1 + 1 - x0, h: y1 + 1 - y0 };
}

function assertUnitRange(img) {
  assert.ok(img instanceof Float32Array, 'a Float32Array');
  assert.equal(img.length, SIDE * SIDE);
  for (let i = 0; i < img.length; i++) {
    assert.ok(img[i] >= 0 && img[i] <= 1, `pixel ${i} = ${img[i]} outside [0, 1]`);
  }
}

function assertCentred(img, tolerance = 0.5) {
  const com = Draw.centreOfMass(img);
  assert.ok(Math.abs(com.x - 14) <= tolerance, `centre of mass x ${com.x.toFixed(3)} not within ${tolerance} of 14`);
  assert.ok(Math.abs(com.y - 14) <= tolerance, `centre of mass y ${com.y.toFixed(3)} not within ${tolerance} of 14`);
  return com;
}

test('loads in Node without window and exposes the API', () => {
  assert.equal(typeof window, 'undefined');
  // the pad (draw.js, a page module) builds on the preprocessing and the strokes; it
  // touches the DOM only when a pad is created
  const { createPad, INK_SIZE } = require('../web/js/draw.js');
  const api = { ...Draw, createPad };
  for (const name of ['preprocess', 'boundingBox', 'centreOfMass', 'inkPen', 'createPad']) {
    assert.equal(typeof api[name], 'function', name);
  }
  assert.equal(INK_SIZE, 280);
  assert.equal(Draw.SIDE, 28);
  assert.equal(Draw.FIT, 20);
});

test('no ink gives null, whatever the array type', () => {
  assert.equal(Draw.preprocess(blank(), W, H), null);
  assert.equal(Draw.preprocess(blank(Uint8Array), W, H), null);
  assert.equal(Draw.preprocess(blank(Float32Array), W, H), null);
  assert.equal(Draw.preprocess(new Array(W * H).fill(0), W, H), null);
});

test('noise below the threshold gives null; one faint pixel above it does not', () => {
  const noise = blank(Float32Array);
  for (let i = 0; i < noise.length; i++) noise[i] = ((i * 7919) % 100) / 100 * 0.0015;
  assert.equal(Draw.preprocess(noise, W, H), null);

  const faint = blank();
  faint[100 * W + 100] = 1;
  const img = Draw.preprocess(faint, W, H);
  assert.ok(img, 'a single grey-level-1 pixel is ink');
  assertUnitRange(img);
});

test('a filled 200x100 rectangle becomes 20x10, centred, full pixels stay full', () => {
  const img = Draw.preprocess(rect(blank(), 40, 90, 200, 100), W, H);
  assertUnitRange(img);
  const box = extent(img);
  assert.equal(box.w, 20);
  assert.equal(box.h, 10);
  assertCentred(img);
  assert.equal(Math.max(...img), 1);
});

test('an off-centre blob in the top-left corner comes out centred', () => {
  const ink = blank();
  // A disc of radius 15 centred at (20, 20).
  for (let y = 0; y < 40; y++) {
    for (let x = 0; x < 40; x++) {
      if ((x + 0.5 - 20) ** 2 + (y + 0.5 - 20) ** 2 <= 225) ink[y * W + x] = 255;
    }
  }
  const img = Draw.preprocess(ink, W, H);
  assertUnitRange(img);
  assertCentred(img);
  const box = extent(img);
  assert.ok(Math.abs((box.x0 + box.x1) / 2 - 14) <= 1 && Math.abs((box.y0 + box.y1) / 2 - 14) <= 1,
    `disc not centred: ${JSON.stringify(box)}`);
});

test('a tall thin stroke (a "1") keeps its aspect: 20 tall, 1-2 wide', () => {
  const img = Draw.preprocess(rect(blank(), 200, 30, 10, 200), W, H);
  assertUnitRange(img);
  const box = extent(img);
  assert.equal(box.h, 20);
  assert.ok(box.w >= 1 && box.w <= 2, `width ${box.w}`);
  assertCentred(img);
});

test('an L-shape is placed by its centre of mass, not by its bounding box', () => {
  const ink = blank();
  rect(ink, 50, 40, 20, 200); // the upright
  rect(ink, 50, 220, 150, 20); // the foot
  const img = Draw.preprocess(ink, W, H);
  assertUnitRange(img);
  assertCentred(img);
  const box = extent(img, 0.05);
  const boxCentreX = (box.x0 + box.x1) / 2;
  const boxCentreY = (box.y0 + box.y1) / 2;
  assert.ok(Math.abs(boxCentreX - 14) > 1 || Math.abs(boxCentreY - 14) > 1,
    `bounding box centre (${boxCentreX}, ${boxCentreY}) should be off (14, 14)`);
});

test('a tiny 4x4 blob is enlarged to a full 20x20 block', () => {
  const img = Draw.preprocess(rect(blank(), 137, 61, 4, 4), W, H);
  assertUnitRange(img);
  const box = extent(img, 0);
  assert.deepEqual([box.x0, box.y0, box.w, box.h], [4, 4, 20, 20]);
  let full = 0;
  for (const v of img) if (v === 1) full++;
  assert.equal(full, 400);
});

test('area averaging conserves the ink when shrinking', () => {
  const ink = blank();
  // A 200x150 ring with grey levels, so edges fall mid-pixel after scaling by 0.1.
  for (let y = 0; y < 150; y++) {
    for (let x = 0; x < 200; x++) {
      const d = Math.hypot((x + 0.5 - 100) / 100, (y + 0.5 - 75) / 75);
      if (d <= 1 && d >= 0.6) ink[(30 + y) * W + 37 + x] = 55 + ((x * 13 + y * 7) % 201);
    }
  }
  // The ellipse touches its box in the middle of each side, so the box is 200x150.
  const box = Draw.boundingBox(ink, W, H, 1);
  assert.deepEqual([box.x1 - box.x0, box.y1 - box.y0], [200, 150]);
  const img = Draw.preprocess(ink, W, H);
  assertUnitRange(img);
  const scale = 20 / 200;
  const expected = sum(ink) * scale * scale / 255;
  const got = sum(img);
  assert.ok(Math.abs(got - expected) / expected < 0.02, `ink ${got.toFixed(3)} vs expected ${expected.toFixed(3)}`);
  assertCentred(img);
});

test('a digit whose centre of mass is far off stays whole inside 28x28', () => {
  const ink = blank();
  rect(ink, 40, 40, 200, 80); // a heavy top bar
  rect(ink, 220, 40, 6, 200); // a thin stem down the right side
  const img = Draw.preprocess(ink, W, H);
  assertUnitRange(img);
  const expected = sum(ink) * (20 / 200) ** 2 / 255;
  assert.ok(Math.abs(sum(img) - expected) / expected < 0.02, 'no ink was cut off by the shift');
  const box = extent(img, 0);
  assert.ok(box.x0 >= 0 && box.y0 >= 0 && box.x1 <= 28 && box.y1 <= 28);
});

test('Float32 0..1 input and Uint8 0..255 input give the same result', () => {
  const bytes = blank();
  const floats = blank(Float32Array);
  const plain = new Array(W * H).fill(0);
  for (let y = 60; y < 230; y++) {
    for (let x = 90; x < 170; x++) {
      const v = (x * 31 + y * 17) % 256;
      bytes[y * W + x] = v;
      floats[y * W + x] = v / 255;
      plain[y * W + x] = v / 255;
    }
  }
  const a = Draw.preprocess(bytes, W, H);
  const b = Draw.preprocess(floats, W, H);
  const c = Draw.preprocess(plain, W, H);
  assertUnitRange(a);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) < 1e-6, `pixel ${i}: ${a[i]} vs ${b[i]}`);
    assert.ok(Math.abs(a[i] - c[i]) < 1e-6, `pixel ${i}: ${a[i]} vs ${c[i]}`);
  }
});

test('boundingBox finds the ink (x1, y1 exclusive) or returns null', () => {
  assert.equal(Draw.boundingBox(blank(), W, H, 1), null);
  const ink = rect(blank(), 10, 20, 30, 40, 200);
  ink[5 * W + 3] = 0.5; // below the threshold
  assert.deepEqual(Draw.boundingBox(ink, W, H, 1), { x0: 10, y0: 20, x1: 40, y1: 60 });
  ink[270 * W + 275] = 1;
  assert.deepEqual(Draw.boundingBox(ink, W, H, 1), { x0: 10, y0: 20, x1: 276, y1: 271 });
});

test('centreOfMass weighs pixel centres by intensity', () => {
  const img = new Float32Array(SIDE * SIDE);
  img[3 * SIDE + 2] = 1;
  assert.deepEqual(Draw.centreOfMass(img), { x: 2.5, y: 3.5 });
  img[3 * SIDE + 6] = 3;
  assert.deepEqual(Draw.centreOfMass(img), { x: 5.5, y: 3.5 });
  assert.deepEqual(Draw.centreOfMass(new Float32Array(SIDE * SIDE)), { x: 14, y: 14 });
});

test('preprocess rejects malformed input', () => {
  assert.throws(() => Draw.preprocess(null, W, H), TypeError);
  assert.throws(() => Draw.preprocess(blank(), 0, H), RangeError);
  assert.throws(() => Draw.preprocess(new Uint8Array(10), W, H), RangeError);
});

test('inkPen: the ink\'s pen is a fixed part of the drawing\'s longer side, whatever its size or the pad\'s', () => {
  const small = [[{ x: 0.4, y: 0.4 }, { x: 0.45, y: 0.6 }]]; // 0.05 x 0.2 of the pad
  const large = [[{ x: 0.1, y: 0.05 }, { x: 0.3, y: 0.85 }]]; // 0.2 x 0.8
  assert.ok(Math.abs(Draw.inkPen(small, W, H) - Draw.PEN_OF_BOX * 0.2 * H) < 1e-9);
  assert.ok(Math.abs(Draw.inkPen(large, W, H) / Draw.inkPen(small, W, H) - 4) < 1e-9, 'four times the size, four times the pen');
  // the longer side in pixels: a wide pad's x spans more pixels
  const wide = [[{ x: 0.2, y: 0.2 }, { x: 0.5, y: 0.4 }]];
  assert.ok(Math.abs(Draw.inkPen(wide, 400, 100) - Draw.PEN_OF_BOX * 0.3 * 400) < 1e-9);
  assert.ok(Math.abs(Draw.inkPen(wide, 100, 400) - Draw.PEN_OF_BOX * 0.2 * 400) < 1e-9);
  // a dot: at least a pixel; strokes over several lists count together
  assert.equal(Draw.inkPen([[{ x: 0.5, y: 0.5 }]], W, H), 1);
  assert.ok(Math.abs(Draw.inkPen([[{ x: 0.1, y: 0.5 }], [{ x: 0.6, y: 0.5 }]], W, H) - Draw.PEN_OF_BOX * 0.5 * W) < 1e-9);
  assert.throws(() => Draw.inkPen([], W, H), RangeError);
  assert.throws(() => Draw.inkPen(small, 0, H), RangeError);
});

test('strokes drawn with inkPen come out MNIST-thick in the 28x28 input, small or large', () => {
  const { render } = require('../scripts/handwriting/raster.js');
  // the same L-shaped stroke written small and large: the same input to within anti-aliasing
  const shape = (left, top, size) => [[{ x: left, y: top }, { x: left, y: top + size }, { x: left + size / 2, y: top + size }]];
  const input = (strokes) => Draw.preprocess(render(strokes, W, H, Draw.inkPen(strokes, W, H) / W), W, H);
  const small = input(shape(0.6, 0.1, 0.2)), large = input(shape(0.1, 0.1, 0.8));
  let diff = 0;
  for (let i = 0; i < small.length; i++) diff = Math.max(diff, Math.abs(small[i] - large[i]));
  assert.ok(diff < 0.15, `small and large differ by up to ${diff}`);
  // the upright's width: 20 * 0.13 / 1.13 = 2.3 pixels of ink in a row through it
  const row = Array.from(large.subarray(14 * SIDE, 15 * SIDE));
  const width = row.reduce((s, v) => s + v, 0);
  assert.ok(width > 2 && width < 2.7, `stroke width ${width.toFixed(2)} pixels`);
});
