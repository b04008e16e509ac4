/* chart-overlay.js - kept runs on the learning-curves chart (one job: the curves of the runs
 * the user ticks, each in a colour of its own, beside the live run's): each run's test
 * accuracy as a solid line (right axis) and its training loss as a dotted one (left axis),
 * and one legend entry per run naming it.
 *
 * Exports:
 *   PALETTE                       the runs' colours, in the order ticked runs take them
 *   colorFor(k)                   the k-th ticked run's colour
 *   overlayExtent(overlays) -> {lastX, lossMax}   what the axes must reach for them
 *   drawOverlays(ctx, s, c, overlays)   the lines, clipped to the plot
 *   legendItems(overlays) -> entries for layoutLegend (chart-draw.js)
 *   describe(overlays) -> [{id, name, color, test, loss}]   what was drawn (points per curve),
 *                                 for the canvas's data-overlays attribute
 *   overlay = {id, name, color, series: {loss, train, test: [{x, y}]}}
 */
import { drawLine, clipToPlot } from './chart-draw.js';

// distinct from the live run's orange, blue and green, and from each other, on light and dark
export const PALETTE = ['#7c3aed', '#db2777', '#0e7490', '#a16207', '#4f46e5', '#be123c', '#15803d', '#64748b'];
const LEGEND_CHARS = 28;

export function colorFor(k) {
  return PALETTE[((k % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

const TEST = { color: 'run', dash: [], width: 2, axis: 'right' };
const LOSS = { color: 'run', dash: [2, 4], width: 1.5, axis: 'left' };

export function overlayExtent(overlays) {
  let lastX = 0, lossMax = 0;
  overlays.forEach((o) => {
    ['loss', 'train', 'test'].forEach((k) => {
      const arr = o.series[k];
      if (arr.length) lastX = Math.max(lastX, arr[arr.length - 1].x);
    });
    o.series.loss.forEach((p) => { if (p.y > lossMax) lossMax = p.y; });
  });
  return { lastX, lossMax };
}

export function drawOverlays(ctx, s, c, overlays) {
  if (!overlays.length) return;
  clipToPlot(ctx, s);
  overlays.forEach((o) => {
    const cc = Object.assign({}, c, { run: o.color });
    if (o.series.loss.length) drawLine(ctx, s, cc, LOSS, o.series.loss);
    if (o.series.test.length) drawLine(ctx, s, cc, TEST, o.series.test);
  });
  ctx.restore();
}

function shorten(name) {
  return name.length > LEGEND_CHARS ? `${name.slice(0, LEGEND_CHARS - 1)}…` : name;
}

export function legendItems(overlays) {
  return overlays.map((o) => ({ label: shorten(o.name), stroke: o.color, dash: [], width: 2 }));
}

export function describe(overlays) {
  return overlays.map((o) => ({ id: o.id, name: o.name, color: o.color, test: o.series.test.length, loss: o.series.loss.length }));
}
