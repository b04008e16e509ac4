/* chart-draw.js - painting the chart (one job: a 2D context, the scales and the series
 * in, pixels out): the grid and axes, the tick labels, the three series, the empty
 * state and the legend. Colours come from CSS custom properties on the canvas
 * (--chart-loss, --chart-train, --chart-test, --chart-grid, --chart-axis, --chart-text,
 * --chart-muted, --chart-bg) so that the page's light and dark themes apply.
 *
 * Exports:
 *   SERIES                               the three series: key, label, colour, dash, width, axis
 *   chartColors(canvas) -> {loss, train, test, grid, axis, text, muted, bg, font}
 *   layoutLegend(ctx, width, fontSize, extra) -> layout (its height moves the plot down); extra:
 *                                        more entries after the series' ({label, stroke (a colour), dash, width})
 *   drawFrame(ctx, s, c, width)          grid, axes, tick labels and axis titles
 *   drawSeries(ctx, s, c, series)        the lines, clipped to the plot (clipToPlot(ctx, s): save, then that clip)
 *   drawLine(ctx, s, c, spec, points)    one line ({color: a key of c, dash, width, axis, markers})
 *   drawEmpty(ctx, s, c, text, fontSize) the text of an empty chart
 *   drawLegend(ctx, layout, c)
 */
import { decimate } from './chart-history.js';
import { decimals, formatTick } from './chart-scales.js';

const FALLBACK = {
  loss: '#c2410c', train: '#1d4ed8', test: '#047857',
  grid: '#e5e7eb', axis: '#9ca3af', text: '#374151', muted: '#6b7280', bg: '#ffffff'
};

export const SERIES = [
  { key: 'loss', label: 'Training loss', color: 'loss', dash: [], width: 2, axis: 'left' },
  { key: 'train', label: 'Train accuracy', color: 'train', dash: [6, 4], width: 2, axis: 'right' },
  { key: 'test', label: 'Test accuracy', color: 'test', dash: [], width: 2.5, axis: 'right', markers: true }
];

export function chartColors(canvas) {
  const cs = getComputedStyle(canvas);
  const c = { font: cs.fontFamily || 'system-ui, sans-serif' };
  Object.keys(FALLBACK).forEach((name) => {
    const s = cs.getPropertyValue(`--chart-${name}`);
    c[name] = s && s.trim() ? s.trim() : FALLBACK[name];
  });
  return c;
}

function drawGrid(ctx, s, c) {
  // horizontal lines at the accuracy ticks (0, 20, ... 100%), vertical ones at the epochs
  ctx.lineWidth = 1;
  ctx.strokeStyle = c.grid;
  ctx.setLineDash([]);
  ctx.beginPath();
  for (let a = 0; a <= 5; a++) {
    const gy = Math.round(s.pyA(a / 5)) + 0.5;
    ctx.moveTo(s.left, gy);
    ctx.lineTo(s.left + s.plotW, gy);
  }
  for (let gx = s.xStep; gx < s.xEnd - 1e-9; gx += s.xStep) {
    const vx = Math.round(s.px(gx)) + 0.5;
    ctx.moveTo(vx, s.top);
    ctx.lineTo(vx, s.top + s.plotH);
  }
  ctx.stroke();

  ctx.strokeStyle = c.axis;
  ctx.beginPath();
  ctx.moveTo(s.left + 0.5, s.top);
  ctx.lineTo(s.left + 0.5, s.top + s.plotH + 0.5);
  ctx.lineTo(s.left + s.plotW - 0.5, s.top + s.plotH + 0.5);
  ctx.lineTo(s.left + s.plotW - 0.5, s.top);
  ctx.stroke();
}

function drawLabels(ctx, s, c, width) {
  ctx.fillStyle = c.text;
  ctx.textAlign = 'right';
  const ld = decimals(s.lStep);
  for (let lv = 0; lv <= s.lTop + 1e-9; lv += s.lStep) ctx.fillText(lv.toFixed(ld), s.left - 6, s.pyL(lv));
  ctx.textAlign = 'left';
  for (let av = 0; av <= 5; av++) ctx.fillText(`${av * 20}%`, s.left + s.plotW + 6, s.pyA(av / 5));
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const xd = decimals(s.xStep);
  for (let xv = 0; xv <= s.xEnd + 1e-9; xv += s.xStep) ctx.fillText(formatTick(xv, xd), s.px(xv), s.top + s.plotH + 5);
  // axis titles
  ctx.fillStyle = c.muted;
  ctx.fillText('Epoch', s.left + s.plotW / 2, s.top + s.plotH + 20);
  ctx.textBaseline = 'bottom';
  ctx.textAlign = 'left';
  ctx.fillText('Loss', 4, s.top - 10);
  ctx.textAlign = 'right';
  ctx.fillText('Accuracy', width - 4, s.top - 10);
}

export function drawFrame(ctx, s, c, width) {
  drawGrid(ctx, s, c);
  drawLabels(ctx, s, c, width);
}

function marker(ctx, x, y, c) {
  ctx.beginPath();
  ctx.arc(x, y, 3.5, 0, Math.PI * 2);
  ctx.fillStyle = c.bg;
  ctx.fill();
  ctx.lineWidth = 2;
  ctx.stroke();
}

export function drawLine(ctx, s, c, spec, arr) {
  const py = spec.axis === 'left' ? (y) => s.pyL(Math.min(y, s.lTop * 1.05)) : s.pyA;
  const pts = decimate(arr, s.px, s.plotW);
  ctx.strokeStyle = c[spec.color];
  ctx.fillStyle = c[spec.color];
  ctx.lineWidth = spec.width;
  ctx.setLineDash(spec.dash);
  ctx.beginPath();
  pts.forEach((p, i) => {
    if (i === 0) ctx.moveTo(s.px(p.x), py(p.y)); else ctx.lineTo(s.px(p.x), py(p.y));
  });
  if (pts.length === 1) {
    ctx.setLineDash([]);
    ctx.arc(s.px(pts[0].x), py(pts[0].y), 2.5, 0, Math.PI * 2);
    ctx.fill();
  } else {
    ctx.stroke();
  }
  ctx.setLineDash([]);
  if (spec.markers && arr.length <= s.plotW / 24) arr.forEach((p) => marker(ctx, s.px(p.x), py(p.y), c));
}

/** Saves the context and clips it to the plot (lines round-joined): restore() when drawn. */
export function clipToPlot(ctx, s) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(s.left, s.top - 2, s.plotW, s.plotH + 4);
  ctx.clip();
  ctx.lineJoin = 'round';
  ctx.lineCap = 'round';
}

export function drawSeries(ctx, s, c, series) {
  clipToPlot(ctx, s);
  SERIES.forEach((spec) => { if (series[spec.key].length) drawLine(ctx, s, c, spec, series[spec.key]); });
  ctx.restore();
}

export function drawEmpty(ctx, s, c, text, fontSize) {
  ctx.fillStyle = c.muted;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.font = `${fontSize + 1}px ${c.font}`;
  ctx.fillText(text, s.left + s.plotW / 2, s.top + s.plotH / 2, s.plotW - 16);
  ctx.font = `${fontSize}px ${c.font}`;
}

/** Flows the legend entries into rows centred at the top. */
export function layoutLegend(ctx, width, fontSize, extra = []) {
  const swatch = 22, gap = 6, spacing = 18;
  const rows = [[]], rowW = [0];
  SERIES.concat(extra).forEach((s) => {
    const w = swatch + gap + ctx.measureText(s.label).width;
    let r = rows.length - 1;
    let need = rowW[r] ? rowW[r] + spacing + w : w;
    if (need > width - 16 && rows[r].length) {
      rows.push([]);
      rowW.push(0);
      r++;
      need = w;
    }
    rows[r].push({ s, w });
    rowW[r] = need;
  });
  const lineH = fontSize + 8;
  return { rows, rowW, lineH, width, swatch, gap, spacing, height: rows.length * lineH };
}

export function drawLegend(ctx, L, c) {
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  L.rows.forEach((row, r) => {
    let x = (L.width - L.rowW[r]) / 2;
    const y = 4 + r * L.lineH + L.lineH / 2;
    row.forEach((item) => {
      const s = item.s;
      ctx.strokeStyle = s.stroke || c[s.color];
      ctx.fillStyle = s.stroke || c[s.color];
      ctx.lineWidth = s.width;
      ctx.setLineDash(s.dash);
      ctx.beginPath();
      ctx.moveTo(x + 1, y);
      ctx.lineTo(x + L.swatch - 1, y);
      ctx.stroke();
      ctx.setLineDash([]);
      if (s.markers) marker(ctx, x + L.swatch / 2, y, c);
      ctx.fillStyle = c.text;
      ctx.fillText(s.label, x + L.swatch + L.gap, y);
      x += item.w + L.spacing;
    });
  });
}
