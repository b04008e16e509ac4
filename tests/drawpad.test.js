'use strict';
/**
 * The drawing pad keeps up with a pen whatever the network, in headless Chromium: one
 * stroke of 200 real pointer moves on #draw-pad with `default` and with `cnn` (untrained,
 * nothing training). What is asserted is the structure that keeps the page light, not
 * the time (the machine may be loaded): the ink of each move is on the canvas when the
 * move's handler returns; at most one predict request is in flight and at most one is
 * sent per animation frame (plus the last); when the pen lifts, the bars answer the final
 * drawing exactly; a CNN's feature maps are updated in the same canvases, not rebuilt.
 * The measured figures (ms per move, long tasks, frame gaps) are printed as diagnostics;
 * `make bench` (bench/drawpad.js) measures and checks them for every preset.
 */

const assert = require('node:assert/strict');
const path = require('node:path');
const { test } = require('node:test');

const { ROOT } = require('./helpers');
const { SKIP, useBrowser, serve, openPage, waitForStatus, askWorker } = require('./browser-helpers');
const { strokePath, MOVES } = require('../bench/drawpad.js');

useBrowser();

const DATA = path.join(ROOT, 'data');

/* In the page: the training worker's predict traffic, the animation frames and the long
 * tasks from now on (window.__pad). */
function watchPad() {
  const B = { posted: 0, answered: 0, inFlight: 0, maxInFlight: 0, last: null, frames: 0, counting: false, longtasks: [] };
  window.__pad = B;
  const worker = window.__workers[0].worker;
  const post = worker.postMessage.bind(worker);
  worker.postMessage = (m, ...rest) => {
    if (m && m.type === 'predict' && m.pixels) {
      B.posted++;
      B.inFlight++;
      B.maxInFlight = Math.max(B.maxInFlight, B.inFlight);
      B.last = Array.from(m.pixels);
    }
    return post(m, ...rest);
  };
  worker.addEventListener('message', (e) => {
    if (e.data && e.data.type === 'prediction') {
      B.answered++;
      B.inFlight = Math.max(0, B.inFlight - 1);
    }
  });
  const frame = () => { if (B.counting) B.frames++; requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) if (B.counting) B.longtasks.push(e.duration); })
      .observe({ type: 'longtask' });
  } catch { /* no long tasks in this browser */ }
}

/** Waits until nothing is in flight and nothing new was sent for three looks 50 ms apart
 *  (on a timer: a wait must not hang on frames the browser stops giving). */
function settle(page) {
  return page.evaluate(() => new Promise((resolve) => {
    const B = window.__pad;
    let quiet = 0, posted = B.posted;
    const check = () => {
      quiet = B.inFlight === 0 && B.posted === posted ? quiet + 1 : 0;
      posted = B.posted;
      if (quiet >= 3) resolve(); else setTimeout(check, 50);
    };
    setTimeout(check, 50);
  }));
}

/** Synthetic pointer moves, each followed at once (same task: no frame between) by a look
 *  at the pad's pixel under the new point: -> [[alpha before, alpha after], ...]. */
function inkPerMove(page, points) {
  return page.$eval('#draw-pad', (pad, pts) => {
    const r = pad.getBoundingClientRect();
    const probe = document.createElement('canvas').getContext('2d', { willReadFrequently: true }); // (reads the pad as a picture)
    probe.canvas.width = probe.canvas.height = 1;
    const event = (type, p, buttons) => new PointerEvent(type, {
      pointerId: 9, pointerType: 'pen', isPrimary: true, bubbles: true, cancelable: true, button: 0, buttons,
      clientX: r.left + p.x * r.width, clientY: r.top + p.y * r.height,
    });
    const alpha = (p) => {
      probe.clearRect(0, 0, 1, 1);
      probe.drawImage(pad, -Math.floor(p.x * pad.width), -Math.floor(p.y * pad.height));
      return probe.getImageData(0, 0, 1, 1).data[3];
    };
    const seen = [];
    pad.dispatchEvent(event('pointerdown', pts[0], 1));
    for (const p of pts.slice(1)) {
      const before = alpha(p);
      pad.dispatchEvent(event('pointermove', p, 1));
      seen.push([before, alpha(p)]);
    }
    pad.dispatchEvent(event('pointerup', pts[pts.length - 1], 0));
    return seen;
  }, points);
}

for (const preset of ['default', 'cnn']) {
  test(`?preset=${preset}: a ${MOVES}-move stroke: ink at once, one predict in flight and at most one a frame, the final bars answer the final drawing`, { skip: SKIP, timeout: 300000 }, async (t) => {
    const url = await serve(t, DATA);
    const { page, problems } = await openPage(t, `${url}?preset=${preset}`);
    await waitForStatus(page, /Ready/, 120000);
    await page.evaluate(watchPad);
    const pad = page.locator('#draw-pad');
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    const at = (p) => [box.x + p.x * box.width, box.y + p.y * box.height];

    // the ink of each move is drawn by its handler, before any frame
    const line = Array.from({ length: 14 }, (_, i) => ({ x: 0.1 + 0.06 * i, y: 0.5 }));
    const inked = await inkPerMove(page, line);
    assert.equal(inked.length, line.length - 1);
    inked.forEach(([before, after], i) => {
      assert.equal(before, 0, `move ${i + 1}: the pad had ink at the new point before the move`);
      assert.ok(after > 0, `move ${i + 1}: no ink at the new point when the handler returned`);
    });
    if (preset === 'cnn') {
      await page.waitForFunction(() => document.querySelectorAll('#activations .act-map').length === 96, null, { timeout: 60000 });
    }
    const firstMap = preset === 'cnn' ? await page.evaluateHandle(() => document.querySelector('#activations .act-map')) : null;
    await page.click('#draw-clear');
    await page.waitForFunction(() => document.querySelector('#draw-probabilities').getAttribute('data-strokes') === '0');
    await settle(page);

    // a stroke of real pointer moves
    const points = strokePath(MOVES);
    await page.mouse.move(...at(points[0]));
    await page.evaluate(() => {
      Object.assign(window.__pad, { posted: 0, answered: 0, maxInFlight: window.__pad.inFlight, frames: 0, longtasks: [], counting: true });
    });
    const started = Date.now();
    await page.mouse.down();
    for (const p of points.slice(1)) await page.mouse.move(...at(p));
    const strokeMs = Date.now() - started;
    await page.mouse.up();
    await page.waitForFunction(() => document.querySelector('#draw-probabilities').getAttribute('data-strokes') === '1',
      null, { timeout: 60000 });
    await settle(page);
    const B = await page.evaluate(() => ({ ...window.__pad, counting: false }));
    await page.evaluate(() => { window.__pad.counting = false; });
    t.diagnostic(`${preset}: ${MOVES} moves in ${strokeMs} ms (${(strokeMs / MOVES).toFixed(1)} ms per move); ${B.frames} frames; `
      + `${B.posted} predict requests, at most ${B.maxInFlight} in flight; ${B.longtasks.length} long tasks`
      + `${B.longtasks.length ? `, the longest ${Math.round(Math.max(...B.longtasks))} ms` : ''}`);

    assert.ok(B.posted >= 1, 'the stroke was never sent for a prediction');
    assert.ok(B.maxInFlight <= 1, `${B.maxInFlight} predict requests were in flight at once`);
    assert.ok(B.posted <= B.frames + 1, `${B.posted} predict requests in ${B.frames} frames`);
    assert.equal(B.answered, B.posted, 'every request was answered');

    // the last request is the final drawing (the preview shows the input it sent) ...
    const preview = await page.$eval('#draw-input', (c) => Array.from(c.getContext('2d').getImageData(0, 0, 28, 28).data)
      .filter((_, i) => i % 4 === 0));
    assert.deepEqual(B.last.map((v) => Math.round(v * 255)), preview, 'the last request is not the drawing the preview shows');
    // ... and the bars show the network's answer for it
    const answer = await askWorker(page, { type: 'predict', id: 'drawpad-check', pixels: B.last }, ['prediction']);
    const bars = await page.$$eval('#draw-probabilities .prob-value', (els) => els.map((e) => e.textContent));
    assert.deepEqual(bars, answer.probabilities.map((p) => `${(p * 100).toFixed(1)}%`));

    if (firstMap) {
      // the feature maps were painted into the same canvases all along
      assert.equal(await page.$$eval('#activations .act-map', (maps) => maps.length), 96);
      assert.ok(await firstMap.evaluate((el) => el.isConnected && el === document.querySelector('#activations .act-map')),
        'the feature maps were rebuilt instead of updated');
    }
    assert.deepEqual(problems, []);
  });
}
