/* chart.js - the learning curves (one job: a canvas line chart of training: loss on the
 * left axis and train/test accuracy on the right, 0-100%, against epochs, fractional x).
 * The points: chart-history.js; the geometry: chart-scales.js; the painting: chart-draw.js.
 * Drawing waits for the next animation frame; the canvas follows its CSS size and
 * devicePixelRatio, and the theme's colours (canvas-watch.js). Its text alternative (the
 * latest figures and a table of the points): chart-table.js, fed the same points.
 *
 * Exports:
 *   createChart(canvas, {emptyText}) -> {addPoint({x, loss, trainAccuracy, testAccuracy}),
 *     clear(), draw(), setXMax(epochs), destroy(), points() -> the live run's {loss, train, test}
 *     (copies of arrays of {x, y}), setOverlays([overlay]) -> kept runs drawn beside it
 *     (chart-overlay.js; the canvas's data-overlays says, as JSON, what was drawn)}
 *   Accuracies are fractions 0..1; any of the three values may be absent in a point.
 */
import { watchCanvas, frameLoop } from './canvas-watch.js';
import { createHistory } from './chart-history.js';
import { chartScales } from './chart-scales.js';
import { chartColors, layoutLegend, drawFrame, drawSeries, drawEmpty, drawLegend } from './chart-draw.js';
import { overlayExtent, drawOverlays, legendItems, describe } from './chart-overlay.js';
import { createChartTable } from './chart-table.js';

export function createChart(canvas, options = {}) {
  const ctx = canvas.getContext('2d');
  const history = createHistory();
  const text = createChartTable(canvas.ownerDocument);
  const emptyText = options.emptyText || 'The curves appear here while the network trains.';
  let xMax = 0;
  let overlays = [];
  let destroyed = false;

  function draw() {
    if (destroyed) return;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (!width || !height) return;
    const dpr = window.devicePixelRatio || 1;
    const pw = Math.round(width * dpr);
    const ph = Math.round(height * dpr);
    if (canvas.width !== pw || canvas.height !== ph) {
      canvas.width = pw;
      canvas.height = ph;
    }
    const c = chartColors(canvas);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);

    const small = width < 480;
    const fontSize = small ? 11 : 12;
    ctx.font = `${fontSize}px ${c.font}`;
    ctx.textBaseline = 'middle';
    // The legend first: it may wrap to two rows on a phone, which moves the plot down.
    const legend = layoutLegend(ctx, width, fontSize, legendItems(overlays));
    const extent = overlayExtent(overlays);
    const s = chartScales({ width, height, legendHeight: legend.height, small,
      xTop: Math.max(xMax, history.lastX(), extent.lastX, 1), lossMax: Math.max(history.lossMax(), extent.lossMax) });
    drawFrame(ctx, s, c, width);
    drawOverlays(ctx, s, c, overlays);
    drawSeries(ctx, s, c, history.series);
    if (history.isEmpty() && !overlays.length) drawEmpty(ctx, s, c, emptyText, fontSize);
    drawLegend(ctx, legend, c);
    canvas.dataset.overlays = JSON.stringify(describe(overlays));
  }

  const frame = frameLoop(window, draw);
  const schedule = () => { if (!destroyed) frame.schedule(); };
  const stopWatching = watchCanvas(canvas, schedule);
  schedule();

  return {
    addPoint(p) {
      history.add(p);
      text.add(p);
      schedule();
    },
    clear() {
      history.clear();
      text.clear();
      schedule();
    },
    draw,
    points() {
      const out = {};
      Object.keys(history.series).forEach((k) => { out[k] = history.series[k].map((p) => ({ x: p.x, y: p.y })); });
      return out;
    },
    setOverlays(list) {
      overlays = Array.isArray(list) ? list : [];
      schedule();
    },
    setXMax(n) {
      xMax = typeof n === 'number' && isFinite(n) && n > 0 ? n : 0;
      schedule();
    },
    destroy() {
      destroyed = true;
      frame.cancel();
      stopWatching();
    }
  };
}
