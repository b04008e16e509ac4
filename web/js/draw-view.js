/* draw-view.js - the drawing pad's pictures (one job: render a pad's state): the visible
 * canvas (the strokes in the canvas's CSS `color`, or --draw-ink, and the keyboard cursor),
 * the offscreen ink the network's input is made from, and the 28x28 preview.
 *
 * Preprocessing does NOT read the visible canvas: the strokes are rendered again into a
 * fixed-size offscreen canvas (INK_SIZE on the longer side, the pad's aspect ratio), with
 * a pen relative to the drawing's size (preprocess.js: inkPen, as thick as MNIST's strokes
 * whether the person writes small or large), and its alpha channel is the ink. That costs
 * the same on every screen (a 280x280 read instead of 560x560 at devicePixelRatio 2),
 * gives the network the same input for the same strokes whatever the display, and keeps
 * the keyboard cursor ring, which is drawn on the visible canvas, out of the ink.
 *
 * Exports:
 *   INK_SIZE (280)
 *   createView(canvas, preview, pen) -> {
 *     draw(state) -> false when the canvas has no size yet (hidden), else true; state =
 *                    {strokes, cursor: {x, y}, showCursor, penDown}; resizes the ink canvas
 *                    to the pad's aspect (then inkChanged() is true once); reads the
 *                    canvas's size and ink colour, which tail() then reuses
 *     tail(points) -> false when there is no drawn canvas to add to, else true: draws what
 *                    the last of a stroke's points adds to it on the visible canvas, at
 *                    once and cheaply (no layout or style read: the pen's own handler)
 *     inkChanged()   the ink canvas's size changed since the last call
 *     pixels(strokes) -> Float32Array(784) | null   the network's input for the strokes
 *     showPreview(pixels)   the 28x28 preview (black when null)
 *   }
 *   cssSize(canvas) -> {w, h}
 */
import { preprocess, inkPen, SIDE } from './preprocess.js';
import { draw as drawStrokes, drawTail } from './strokes.js';
import { drawDigit } from './dom.js';

export const INK_SIZE = 280;
const CURSOR_COLOUR = '#2563eb';

export function cssSize(canvas) {
  let w = canvas.clientWidth, h = canvas.clientHeight;
  if (!w || !h) {
    const rect = canvas.getBoundingClientRect();
    w = rect.width;
    h = rect.height;
  }
  return { w, h };
}

export function createView(canvas, preview, pen) {
  const doc = canvas.ownerDocument || document;
  const win = doc.defaultView || window;
  const ctx = canvas.getContext('2d');
  const inkCanvas = doc.createElement('canvas');
  const inkCtx = inkCanvas.getContext('2d', { willReadFrequently: true });
  inkCanvas.width = inkCanvas.height = INK_SIZE;
  let inkAlpha = null;
  let inkResized = false;
  let drawn = null; // the visible canvas as last drawn: {pw, ph, width (the pen's, px), ink (colour)}
  if (preview && (preview.width !== SIDE || preview.height !== SIDE)) preview.width = preview.height = SIDE;

  function cssVar(name, fallback) {
    const cs = win.getComputedStyle(canvas);
    const v = cs.getPropertyValue(name);
    return v && v.trim() ? v.trim() : fallback || cs.color || '#000';
  }

  function drawCursor(state, pw, ph, dpr) {
    ctx.save();
    ctx.strokeStyle = cssVar('--draw-cursor', CURSOR_COLOUR);
    ctx.lineWidth = 2 * dpr;
    // Dashed while the pen is up, solid while it draws.
    if (!state.penDown) ctx.setLineDash([3 * dpr, 3 * dpr]);
    ctx.beginPath();
    ctx.arc(state.cursor.x * pw, state.cursor.y * ph, Math.max(5 * dpr, pen() * pw / 2), 0, 2 * Math.PI);
    ctx.stroke();
    ctx.restore();
  }

  /** The offscreen ink canvas keeps the pad's aspect ratio. */
  function fitInk(css) {
    const iw = css.w >= css.h ? INK_SIZE : Math.max(1, Math.round(INK_SIZE * css.w / css.h));
    const ih = css.h >= css.w ? INK_SIZE : Math.max(1, Math.round(INK_SIZE * css.h / css.w));
    if (inkCanvas.width === iw && inkCanvas.height === ih) return;
    inkCanvas.width = iw;
    inkCanvas.height = ih;
    inkResized = true;
  }

  function draw(state) {
    const css = cssSize(canvas);
    if (!css.w || !css.h) return false;
    const dpr = win.devicePixelRatio || 1;
    const pw = Math.max(1, Math.round(css.w * dpr));
    const ph = Math.max(1, Math.round(css.h * dpr));
    if (canvas.width !== pw || canvas.height !== ph) {
      canvas.width = pw;
      canvas.height = ph;
    }
    fitInk(css);
    drawn = { pw, ph, width: pen() * pw, ink: cssVar('--draw-ink') };
    ctx.clearRect(0, 0, pw, ph);
    drawStrokes(ctx, state.strokes, pw, ph, drawn.width, drawn.ink);
    if (state.showCursor) drawCursor(state, pw, ph, dpr);
    return true;
  }

  function tail(points) {
    if (!drawn || canvas.width !== drawn.pw || canvas.height !== drawn.ph) return false;
    drawTail(ctx, points, drawn.pw, drawn.ph, drawn.width, drawn.ink);
    return true;
  }

  function pixels(strokes) {
    if (!strokes.length) return null;
    const w = inkCanvas.width, h = inkCanvas.height;
    inkCtx.clearRect(0, 0, w, h);
    drawStrokes(inkCtx, strokes, w, h, inkPen(strokes, w, h), '#000');
    const rgba = inkCtx.getImageData(0, 0, w, h).data;
    if (!inkAlpha || inkAlpha.length !== w * h) inkAlpha = new Uint8ClampedArray(w * h);
    for (let i = 0, n = w * h; i < n; i++) inkAlpha[i] = rgba[4 * i + 3];
    return preprocess(inkAlpha, w, h);
  }

  function showPreview(input) {
    if (!preview) return;
    if (!input) {
      const pctx = preview.getContext('2d');
      pctx.fillStyle = '#000';
      pctx.fillRect(0, 0, preview.width, preview.height);
      return;
    }
    drawDigit(preview, input.map((v) => Math.round(v * 255)), 0);
  }

  return {
    draw,
    tail,
    inkChanged() {
      const was = inkResized;
      inkResized = false;
      return was;
    },
    pixels,
    showPreview
  };
}
