'use strict';
/**
 * Digits as people write them (scripts/handwriting/): the generator is deterministic and
 * covers every digit and writing style, the rasteriser draws strokes like the page's
 * canvas, and the `cnn` preset, trained natively, reads at least 95% of the set through
 * the page's own preprocessing (web/js/preprocess.js) and the WebAssembly core, as the
 * page's draw pad does; `build/mnist eval` on the set's IDX files agrees. In Chromium,
 * the page's strokes.js on a real canvas draws the same ink as the Node rasteriser.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const { transformSync } = require('esbuild');

const { BIN, MNIST_DIR, runBinary, tempDir } = require('./helpers');
const { SKIP, useBrowser, openPage } = require('./browser-helpers');
const { generate, STYLE_NAMES, PAGE_PEN } = require('../scripts/handwriting/generate.js');
const { render } = require('../scripts/handwriting/raster.js');
const HandSet = require('../scripts/handwriting/set.js');
const { encodePng } = require('../scripts/handwriting/png.js');
const Preprocess = require('../web/js/preprocess.js');
const { measure, writeIdx } = require('../scripts/handwriting.js');

const TARGET = 0.95;

test('the generator: the same seed gives the same digits, another seed others', () => {
  const a = generate(7, 60), b = generate(7, 60), c = generate(8, 60);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.map((d) => d.strokes), c.map((d) => d.strokes));
});

test('the generator: every digit equally often, every writing style, points on the pad', () => {
  const digits = generate(HandSet.SEED, HandSet.COUNT);
  const perClass = new Array(10).fill(0);
  const styles = new Set();
  for (const d of digits) {
    perClass[d.label]++;
    styles.add(`${d.label} ${d.style}`);
    assert.ok(d.pen > 0.02 && d.pen < 0.15, `pen ${d.pen}`);
    assert.ok(d.strokes.length >= 1);
    for (const stroke of d.strokes) {
      assert.ok(stroke.length >= 2, 'a stroke has points');
      for (const p of stroke) assert.ok(p.x >= 0 && p.x <= 1 && p.y >= 0 && p.y <= 1, `point ${p.x}, ${p.y} off the pad`);
    }
  }
  assert.deepEqual(perClass, new Array(10).fill(HandSet.COUNT / 10));
  const expected = Object.entries(STYLE_NAMES).flatMap(([digit, names]) => names.map((n) => `${digit} ${n}`));
  assert.ok(expected.length >= 20, 'several styles per digit');
  assert.deepEqual([...styles].sort(), expected.sort());
  // The variations span what people do: both devices, the page's pen and others,
  // small and large writing, slants both ways.
  assert.deepEqual(new Set(digits.map((d) => d.device)), new Set(['pen', 'mouse']));
  assert.ok(digits.some((d) => d.pen === PAGE_PEN) && digits.some((d) => d.pen < 0.04) && digits.some((d) => d.pen > 0.12));
  assert.ok(digits.some((d) => d.size < 0.3) && digits.some((d) => d.size > 0.8));
  assert.ok(digits.some((d) => d.slant < -10) && digits.some((d) => d.slant > 30));
});

test('the rasteriser: a dot is a disc, a line a round-capped band, edges anti-aliased', () => {
  const W = 100;
  const dot = render([[{ x: 0.5, y: 0.5 }]], W, W, 0.2); // radius 10 px
  const area = dot.reduce((s, v) => s + v, 0) / 255;
  assert.ok(Math.abs(area - Math.PI * 100) < 2, `disc area ${area}`);
  assert.equal(dot[50 * W + 50], 255);
  assert.equal(dot[50 * W + 75], 0);

  // A horizontal line from x 20 to 80 at y 50.35, pen 10 px: 10 px tall (its edges
  // cut pixels 45 and 55), round ends reach 15 and 85.
  const line = render([[{ x: 0.2, y: 0.5035 }, { x: 0.8, y: 0.5035 }]], W, W, 0.1);
  const column = (x) => { let s = 0; for (let y = 0; y < W; y++) s += line[y * W + x]; return s / 255; };
  assert.ok(Math.abs(column(50) - 10) < 0.05, `band height ${column(50)}`);
  assert.ok(column(16) > 0 && column(14) === 0 && column(84) > 0 && column(86) === 0, 'round caps reach r past the ends');
  const greys = line.filter((v) => v > 0 && v < 255).length;
  assert.ok(greys > 120, `anti-aliased edge pixels: ${greys}`);
  assert.ok(Math.abs(line[45 * W + 50] / 255 - 0.65) < 0.01 && Math.abs(line[55 * W + 50] / 255 - 0.35) < 0.01, 'edge coverage');

  // The page's path: quadratic curves through the midpoints pass through the first and last
  // points but only near the middle ones; two strokes composite source-over (no sum above 255).
  const bend = render([[{ x: 0.2, y: 0.8 }, { x: 0.5, y: 0.2 }, { x: 0.8, y: 0.8 }]], W, W, 0.04);
  assert.equal(bend[80 * W + 20], 255);
  assert.equal(bend[20 * W + 50], 0, 'the curve cuts the corner at the middle point');
  // From the midpoint (35, 50) to (65, 50) with control (50, 20): the apex is at (50, 35).
  assert.equal(bend[35 * W + 50], 255, 'the curve passes through (50, 35)');
  assert.equal(bend[30 * W + 50], 0, 'and no higher');
  const cross = render([[{ x: 0.1, y: 0.5 }, { x: 0.9, y: 0.5 }], [{ x: 0.5, y: 0.1 }, { x: 0.5, y: 0.9 }]], W, W, 0.1);
  assert.equal(Math.max(...cross), 255);
  assert.equal(cross[50 * W + 50], 255);
  assert.throws(() => render([[{ x: 0.5, y: 0.5 }]], W, W, 0), RangeError);
});

useBrowser();

test('the rasteriser draws what Chromium\'s canvas draws with the page\'s strokes.js', { skip: SKIP }, async (t) => {
  const { page } = await openPage(t, 'about:blank');
  await page.setContent(`<canvas id="ink" width="${HandSet.INK_SIZE}" height="${HandSet.INK_SIZE}"></canvas>`);
  // the page's strokes.js (an ES module) as a classic script defining `Strokes` in this blank page
  const source = fs.readFileSync(path.join(__dirname, '../web/js/strokes.js'), 'utf8');
  await page.addScriptTag({ content: transformSync(source, { format: 'iife', globalName: 'Strokes' }).code });
  const digits = generate(HandSet.SEED, 60);
  const S = HandSet.INK_SIZE;
  let inkDiff = 0, inputDiff = 0;
  for (const digit of digits) {
    const pen = Preprocess.inkPen(digit.strokes, S, S);
    const canvas = await page.evaluate(([strokes, pen, S]) => {
      const ctx = document.getElementById('ink').getContext('2d', { willReadFrequently: true });
      ctx.clearRect(0, 0, S, S);
      window.Strokes.draw(ctx, strokes, S, S, pen, '#000');
      const rgba = ctx.getImageData(0, 0, S, S).data;
      return Array.from({ length: S * S }, (_, i) => rgba[4 * i + 3]);
    }, [digit.strokes, pen, S]);
    const node = render(digit.strokes, S, S, pen / S);
    for (let i = 0; i < node.length; i++) inkDiff += Math.abs(node[i] - canvas[i]) / 255;
    const a = Preprocess.preprocess(Uint8ClampedArray.from(canvas), S, S), b = Preprocess.preprocess(node, S, S);
    for (let i = 0; i < 784; i++) inputDiff += Math.abs(a[i] - b[i]);
  }
  const perPixel = inkDiff / (digits.length * S * S), perInput = inputDiff / (digits.length * 784);
  t.diagnostic(`Node vs Chromium: ink differs by ${(255 * perPixel).toFixed(3)} of 255 per pixel, the 28x28 input by ${perInput.toFixed(4)}`);
  assert.ok(perPixel < 1 / 255, `ink differs by ${(255 * perPixel).toFixed(2)} of 255 per pixel`);
  assert.ok(perInput < 0.02, `the 28x28 input differs by ${perInput.toFixed(4)} per pixel`);
});

test('the set: every digit leaves ink and becomes a 28x28 input; the contact sheet is a PNG', () => {
  const set = HandSet.build({ count: 40 });
  assert.equal(set.images.length, 40 * 784);
  for (let i = 0; i < 40; i++) {
    const img = set.images.subarray(i * 784, (i + 1) * 784);
    assert.ok(img.some((v) => v === 255), `digit ${i} has full-ink pixels`);
    assert.equal(img[0] + img[27] + img[27 * 28] + img[783], 0, `digit ${i} leaves the corners empty`);
  }
  const sheet = HandSet.contactSheet(set, { perClass: 2 });
  const png = encodePng(sheet.grey, sheet.width, sheet.height);
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  assert.equal(png.readUInt32BE(16), sheet.width);
});

test(`the cnn preset reads at least ${100 * TARGET}% of the handwriting set, as the page does`, { timeout: 900000 }, async (t) => {
  const dir = tempDir(t, 'mnist-hand-');
  const model = path.join(dir, 'cnn.model');
  const trained = runBinary(BIN.mnist, ['train', '--preset', 'cnn', '--data', MNIST_DIR, '--save', model]);
  assert.equal(trained.status, 0, trained.stderr);
  assert.ok(trained.json.test_accuracy >= 0.99, `MNIST test accuracy ${trained.json.test_accuracy}`);

  const set = HandSet.build();
  const report = await measure(fs.readFileSync(model), set.digits);
  const wrong = report.confusion.flatMap((row, l) => row.map((n, p) => (n && p !== l ? `${l}->${p}: ${n}` : null))).filter(Boolean);
  t.diagnostic(`handwriting: ${(100 * report.accuracy).toFixed(1)}% (${report.correct}/${report.count}); ${wrong.join(', ')}`);
  assert.ok(report.accuracy >= TARGET, `${(100 * report.accuracy).toFixed(1)}% of the handwriting set read right`);
  for (const c of report.perClass) assert.ok(c.accuracy >= 0.85, `digit ${c.label}: ${(100 * c.accuracy).toFixed(1)}%`);

  // The CLI reads the same set from IDX files (pixels rounded to bytes): the same figure within a point.
  const idx = path.join(dir, 'idx');
  writeIdx(idx, set, MNIST_DIR);
  const evaluated = runBinary(BIN.mnist, ['eval', '--data', idx, '--model', model]);
  assert.equal(evaluated.status, 0, evaluated.stderr);
  assert.ok(Math.abs(evaluated.json.test_accuracy - report.accuracy) <= 0.01,
    `CLI ${evaluated.json.test_accuracy} vs page path ${report.accuracy}`);
});
