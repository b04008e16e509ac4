'use strict';
/**
 * Digits as people write them on the page's drawing pad, generated from a seed: each
 * digit is one of its writing styles (shapes.js) drawn with a random slant, rotation,
 * aspect, size and place on the pad, a pen from thin to thick, a hand's wobble and the
 * pen's or the mouse's sampling. The result is what the pad records: strokes as lists
 * of {x, y} points, 0..1 of the pad (draw.js), and the pen's width as a fraction of the
 * pad's width (the page's pen is 1/12).
 *
 * Public:
 *   generate(seed, count) -> [{ label, style, device, pen, size, slant, strokes }, ...]
 *     label i % 10, the styles of each digit in turn; the same seed gives the same set.
 *   PAGE_PEN (1/12), STYLE_NAMES { digit: [name, ...] }
 */

const { STYLES, flatten } = require('./shapes.js');

const PAGE_PEN = 1 / 12;  // draw.js's DEFAULT_PEN: the pen the page draws with
const PAD_CSS = 240;      // the pad's CSS size in the page (styles.css): mouse points land on whole CSS pixels
const STYLE_NAMES = {};
for (const digit of Object.keys(STYLES)) STYLE_NAMES[digit] = Object.keys(STYLES[digit]);

/** mulberry32: a small 32-bit PRNG, the same sequence everywhere. */
function makeRng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    normal: (sd) => sd * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    chance: (p) => next() < p
  };
}

/** A smooth random function of t (two sines), amplitude about amp. */
function smoothNoise(rng, amp, minWave, maxWave) {
  const waves = [0, 1].map(() => ({
    f: 1 / rng.uniform(minWave, maxWave), phase: rng.uniform(0, 2 * Math.PI), a: amp * rng.uniform(0.4, 1)
  }));
  return (t) => waves[0].a * Math.sin(2 * Math.PI * waves[0].f * t + waves[0].phase) +
    waves[1].a * Math.sin(2 * Math.PI * waves[1].f * t + waves[1].phase);
}

/** Points along a polyline every `spacing(i)` of its length (first and last kept). */
function resample(poly, spacing) {
  const out = [poly[0]];
  let need = spacing(0), seg = 0, along = 0;
  for (let i = 1; i < poly.length; i++) {
    const [x0, y0] = poly[i - 1], [x1, y1] = poly[i];
    const len = Math.hypot(x1 - x0, y1 - y0);
    let pos = 0;
    while (len - pos >= need - along) {
      pos += need - along;
      along = 0;
      out.push([x0 + (x1 - x0) * pos / len, y0 + (y1 - y0) * pos / len]);
      need = spacing(++seg);
    }
    along += len - pos;
  }
  const last = poly[poly.length - 1], end = out[out.length - 1];
  if (end[0] !== last[0] || end[1] !== last[1]) out.push(last);
  return out;
}

/** The style's pieces as this hand draws them: each arc's start and end a little
 *  earlier or later (loops left open or closed past the start), each point a little off. */
function varyStroke(rng, stroke) {
  return stroke.map((piece) => {
    if (piece.kind === 'arc') return { ...piece, from: piece.from + rng.normal(8), to: piece.to + rng.normal(8) };
    return { ...piece, points: piece.points.map(([x, y]) => [x + rng.normal(0.02), y + rng.normal(0.02)]) };
  });
}

/** One digit: the style's strokes, varied and placed on the pad, sampled by a device. */
function writeDigit(rng, label, style) {
  const strokes = STYLES[label][style];
  // The hand's proportions and the shape's own variation (a smooth warp of the box).
  const warpX = smoothNoise(rng, rng.uniform(0, 0.035), 0.6, 1.6);
  const warpY = smoothNoise(rng, rng.uniform(0, 0.03), 0.6, 1.6);
  const aspect = Math.exp(rng.uniform(Math.log(0.7), Math.log(1.35)));
  const slant = rng.uniform(-15, 35) * Math.PI / 180; // right-leaning mostly
  const rotate = rng.normal(5) * Math.PI / 180;
  const device = rng.chance(0.5) ? 'pen' : 'mouse';
  const pen = rng.chance(0.5) ? PAGE_PEN : rng.uniform(0.025, 0.14);
  // Height on the pad: small to large writing, but not so small that the pen fills it.
  const size = Math.max(Math.exp(rng.uniform(Math.log(0.22), Math.log(0.9))), pen / 0.3);
  const wobble = rng.uniform(0, device === 'mouse' ? 0.025 : 0.012);

  const cos = Math.cos(rotate), sin = Math.sin(rotate), shear = Math.tan(slant);
  const local = strokes.map((stroke, s) => {
    // Strokes after the first land a little off where they were meant to.
    const ox = s ? rng.normal(0.03) : 0, oy = s ? rng.normal(0.025) : 0;
    const wx = smoothNoise(rng, wobble, 0.25, 0.7), wy = smoothNoise(rng, wobble, 0.25, 0.7);
    let along = 0;
    return flatten(varyStroke(rng, stroke)).map(([u, v], i, all) => {
      if (i) along += Math.hypot(u - all[i - 1][0], v - all[i - 1][1]);
      let x = u + warpX(v) + wx(along) + ox - 0.3;
      let y = v + warpY(u) + wy(along) + oy - 0.5;
      x = x * aspect - y * shear;
      return [x * cos - y * sin, x * sin + y * cos];
    });
  });
  // Size and place: the box's centre anywhere that keeps the ink on the pad.
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const poly of local) {
    for (const [x, y] of poly) {
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
  }
  const scale = size / (y1 - y0) * Math.min(1, 0.9 / (size * (x1 - x0) / (y1 - y0)));
  const margin = 0.02 + pen / 2;
  const w = (x1 - x0) * scale, h = (y1 - y0) * scale;
  const left = rng.uniform(margin, Math.max(margin, 1 - margin - w));
  const top = rng.uniform(margin, Math.max(margin, 1 - margin - h));
  const onPad = local.map((poly) => poly.map(([x, y]) => [left + (x - x0) * scale, top + (y - y0) * scale]));

  // The device: a pen reports dense, smooth points; a mouse sparser ones, on whole
  // CSS pixels, with the hand's jitter.
  const px = 1 / PAD_CSS;
  const padStrokes = onPad.map((poly) => {
    const spacing = device === 'pen' ? () => rng.uniform(0.003, 0.008) : () => rng.uniform(0.008, 0.03);
    return resample(poly, spacing).map(([x, y]) => {
      if (device === 'pen') return { x: x + rng.normal(0.15 * px), y: y + rng.normal(0.15 * px) };
      return { x: Math.round((x + rng.normal(0.6 * px)) / px) * px, y: Math.round((y + rng.normal(0.6 * px)) / px) * px };
    });
  });
  return { label, style, device, pen, size, slant: slant * 180 / Math.PI, rotate: rotate * 180 / Math.PI, aspect,
    strokes: padStrokes };
}

function generate(seed, count) {
  if (!Number.isInteger(seed) || seed < 0) throw new RangeError('seed must be a non-negative integer');
  if (!Number.isInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
  const rng = makeRng(seed);
  const digits = [];
  for (let i = 0; i < count; i++) {
    const label = i % 10;
    const names = STYLE_NAMES[label];
    digits.push(writeDigit(rng, label, names[Math.floor(i / 10) % names.length]));
  }
  return digits;
}

module.exports = { generate, makeRng, PAGE_PEN, STYLE_NAMES };
