'use strict';
/**
 * The handwriting set: generated digits (generate.js) rendered like the page's pad
 * (raster.js, a 280x280 ink canvas as draw.js's, with the pen draw.js gives the ink:
 * preprocess.js's inkPen) and turned into the network's 28x28 input by the page's own
 * web/js/preprocess.js, stored as bytes (round(v * 255)) like MNIST's images.
 *
 * Public:
 *   SEED (the set's seed), COUNT (its size), INK_SIZE (280, draw.js's)
 *   ink(digit, { padPen }) -> Uint8ClampedArray(280 * 280), the ink preprocess reads;
 *     padPen: drawn with the person's own pen instead (as the page did before inkPen)
 *   build({ seed, count, padPen }) -> { digits, images: Uint8Array(count * 784), labels: Uint8Array }
 *     digits from generate().
 *   contactSheet(set, { perClass, ink }) -> { grey, width, height }
 *     a row per digit 0..9: each sample as the pad shows it beside the 28x28 input.
 */

const { generate } = require('./generate.js');
const { render } = require('./raster.js');
const Preprocess = require('../../web/js/preprocess.js');

const SEED = 20261126;
const COUNT = 1000;
const INK_SIZE = 280;

/** The pad's ink for one generated digit (what draw.js reads from its offscreen canvas). */
function ink(digit, { padPen = false } = {}) {
  const pen = padPen ? digit.pen : Preprocess.inkPen(digit.strokes, INK_SIZE, INK_SIZE) / INK_SIZE;
  return render(digit.strokes, INK_SIZE, INK_SIZE, pen);
}

function build({ seed = SEED, count = COUNT, padPen = false } = {}) {
  const digits = generate(seed, count);
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  digits.forEach((digit, i) => {
    const input = Preprocess.preprocess(ink(digit, { padPen }), INK_SIZE, INK_SIZE);
    if (!input) throw new Error(`digit ${i} (${digit.label}, ${digit.style}) left no ink`);
    for (let p = 0; p < 784; p++) images[i * 784 + p] = Math.round(input[p] * 255);
    labels[i] = digit.label;
  });
  return { digits, images, labels };
}

/** A contact sheet: a row per class, perClass samples, each the pad as the person sees it
 *  (shrunk 4x, dark ink on white) beside the 28x28 input (2x, white on black, like MNIST). */
function contactSheet(set, { perClass = 12 } = {}) {
  const PAD = INK_SIZE / 4, CELL = PAD + 56 + 6, GAP = 4;
  const width = perClass * CELL + GAP, height = 10 * (PAD + GAP) + GAP;
  const grey = new Uint8Array(width * height).fill(160);
  for (let label = 0; label < 10; label++) {
    const picks = [];
    for (let i = 0; i < set.digits.length && picks.length < perClass; i++) if (set.labels[i] === label) picks.push(i);
    picks.forEach((i, col) => {
      const left = GAP + col * CELL, top = GAP + label * (PAD + GAP);
      const alpha = ink(set.digits[i], { padPen: true }); // as the person sees it
      for (let y = 0; y < PAD; y++) {
        for (let x = 0; x < PAD; x++) {
          let sum = 0;
          for (let dy = 0; dy < 4; dy++) for (let dx = 0; dx < 4; dx++) sum += alpha[(4 * y + dy) * INK_SIZE + 4 * x + dx];
          grey[(top + y) * width + left + x] = 255 - Math.round(sum / 16);
        }
      }
      const inputTop = top + (PAD - 56) / 2 | 0;
      for (let y = 0; y < 56; y++) {
        for (let x = 0; x < 56; x++) {
          grey[(inputTop + y) * width + left + PAD + 2 + x] = set.images[i * 784 + (y >> 1) * 28 + (x >> 1)];
        }
      }
    });
  }
  return { grey, width, height };
}

module.exports = { SEED, COUNT, INK_SIZE, build, ink, contactSheet };
