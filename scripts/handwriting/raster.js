'use strict';
/**
 * Renders pad strokes in Node the way the page's canvas does: the page's own
 * web/js/strokes.js traces the paths (quadratic curves through the midpoints, a dot for
 * a single point) onto a small 2D-context stand-in that strokes them with round caps and
 * joins and anti-aliased coverage (a pixel's coverage is the part of it within the pen's
 * radius, from the distance of its centre to the path), and composites the strokes
 * source-over. The result is the alpha channel draw.js reads from its offscreen ink
 * canvas, which preprocess.js turns into the 28x28 input.
 *
 * Public:
 *   render(strokes, width, height, penFraction) -> Uint8ClampedArray(width * height)
 *     strokes as the pad stores them ({x, y} 0..1 of the pad), the pen as a fraction
 *     of the width (draw.js: pen() * w).
 *   drawStrokes: the page's strokes.js draw; InkContext: the context stand-in.
 */

const { draw: drawStrokes } = require('../../web/js/strokes.js');

/** Flattening tolerance: a quadratic curve is cut into pieces about this long (pixels). */
const PIECE = 1.5;

/** The part of CanvasRenderingContext2D that strokes.js uses, drawing into alpha. */
class InkContext {
  constructor(width, height) {
    this.width = width;
    this.height = height;
    this.alpha = new Float32Array(width * height);
    this.lineWidth = 1;
    this.lineCap = 'butt';
    this.lineJoin = 'miter';
    this.strokeStyle = this.fillStyle = '#000';
    this.saved = [];
    this.paths = [];
    this.discs = [];
  }
  save() { this.saved.push([this.lineWidth, this.lineCap, this.lineJoin, this.strokeStyle, this.fillStyle]); }
  restore() { [this.lineWidth, this.lineCap, this.lineJoin, this.strokeStyle, this.fillStyle] = this.saved.pop(); }
  beginPath() { this.paths = []; this.discs = []; }
  moveTo(x, y) { this.paths.push([[x, y]]); }
  lineTo(x, y) { this.current().push([x, y]); }
  quadraticCurveTo(cx, cy, x, y) {
    const sub = this.current();
    const [x0, y0] = sub[sub.length - 1];
    const n = Math.max(2, Math.ceil((Math.hypot(cx - x0, cy - y0) + Math.hypot(x - cx, y - cy)) / PIECE));
    for (let k = 1; k <= n; k++) {
      const t = k / n, a = (1 - t) * (1 - t), b = 2 * t * (1 - t), c = t * t;
      sub.push([a * x0 + b * cx + c * x, a * y0 + b * cy + c * y]);
    }
  }
  arc(x, y, r, start, end) {
    if (Math.abs(end - start) < 2 * Math.PI - 1e-9) throw new Error('InkContext draws whole circles only');
    this.discs.push([x, y, r]);
  }
  current() {
    if (!this.paths.length) throw new Error('lineTo before moveTo');
    return this.paths[this.paths.length - 1];
  }
  stroke() {
    if (this.lineCap !== 'round' || this.lineJoin !== 'round') throw new Error('InkContext strokes round caps and joins only');
    const r = this.lineWidth / 2;
    for (const sub of this.paths) this.composite(segmentsDistance(sub, r + 1, this.width, this.height), r);
  }
  fill() {
    for (const [x, y, r] of this.discs) this.composite(segmentsDistance([[x, y]], r + 1, this.width, this.height), r);
  }
  /** Source-over of one shape's coverage (from its distance field) onto the ink. */
  composite(field, r) {
    const { x0, y0, w, h, dist } = field;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const cover = Math.min(1, Math.max(0, r + 0.5 - dist[y * w + x]));
        if (cover > 0) {
          const i = (y0 + y) * this.width + x0 + x;
          this.alpha[i] += cover * (1 - this.alpha[i]);
        }
      }
    }
  }
}

/** Distances of pixel centres (squared while searching) to a polyline (one point: to the point), within reach of it. */
function segmentsDistance(points, reach, width, height) {
  let bx0 = Infinity, by0 = Infinity, bx1 = -Infinity, by1 = -Infinity;
  for (const [x, y] of points) {
    bx0 = Math.min(bx0, x); by0 = Math.min(by0, y); bx1 = Math.max(bx1, x); by1 = Math.max(by1, y);
  }
  const x0 = Math.max(0, Math.floor(bx0 - reach)), y0 = Math.max(0, Math.floor(by0 - reach));
  const x1 = Math.min(width, Math.ceil(bx1 + reach)), y1 = Math.min(height, Math.ceil(by1 + reach));
  const w = Math.max(0, x1 - x0), h = Math.max(0, y1 - y0);
  const dist = new Float32Array(w * h).fill(Infinity);
  const segs = points.length === 1 ? [[points[0], points[0]]] : points.slice(1).map((p, i) => [points[i], p]);
  for (const [[ax, ay], [qx, qy]] of segs) {
    const dx = qx - ax, dy = qy - ay, len2 = dx * dx + dy * dy;
    const sx0 = Math.max(x0, Math.floor(Math.min(ax, qx) - reach)), sx1 = Math.min(x1, Math.ceil(Math.max(ax, qx) + reach));
    const sy0 = Math.max(y0, Math.floor(Math.min(ay, qy) - reach)), sy1 = Math.min(y1, Math.ceil(Math.max(ay, qy) + reach));
    for (let py = sy0; py < sy1; py++) {
      for (let px = sx0; px < sx1; px++) {
        const cx = px + 0.5 - ax, cy = py + 0.5 - ay;
        const t = len2 > 0 ? Math.min(1, Math.max(0, (cx * dx + cy * dy) / len2)) : 0;
        const ex = cx - t * dx, ey = cy - t * dy, d2 = ex * ex + ey * ey;
        const i = (py - y0) * w + px - x0;
        if (d2 < dist[i]) dist[i] = d2;
      }
    }
  }
  for (let i = 0; i < dist.length; i++) dist[i] = Math.sqrt(dist[i]);
  return { x0, y0, w, h, dist };
}

function render(strokes, width, height, penFraction) {
  if (!(penFraction > 0)) throw new RangeError('the pen must be a positive fraction of the pad');
  const ctx = new InkContext(width, height);
  drawStrokes(ctx, strokes, width, height, penFraction * width, '#000');
  const out = new Uint8ClampedArray(width * height);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(ctx.alpha[i] * 255);
  return out;
}

module.exports = { render, drawStrokes, InkContext };
