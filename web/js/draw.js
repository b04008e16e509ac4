/* draw.js - the drawing pad (one job: a person writes a digit, and the page gets the
 * network's 28x28 input of it). Input: draw-input.js (mouse, finger, pen, keyboard);
 * pictures: draw-view.js (the canvas, the offscreen ink, the preview); preprocess.js turns
 * the ink into the input the MNIST way; strokes.js copies and renders strokes.
 *
 * Exports:
 *   createPad({ canvas, preview, onChange, penWidth }) -> pad
 *     pad = { clear(), isEmpty(), strokeCount(), version(), pixels(), showInput(pixels), strokes(), setStrokes(strokes),
 *             redraw(), destroy() }
 *   INK_SIZE (280)
 *
 * The pad stores strokes as lists of {x, y} points normalised to the canvas's CSS size
 * (0..1; a point may lie a little outside while the pointer is captured), so a redraw at
 * any size is exact. The visible canvas follows its CSS size times devicePixelRatio and is
 * transparent; ink is drawn in the canvas's CSS `color` (or --draw-ink), so light and dark
 * themes both work.
 *
 * The ink follows the pen at once: each pointer move draws only the piece of the stroke it
 * adds (and nothing else: no layout, no pixels), and the whole canvas is drawn again only
 * when it must be (a resize, the keyboard's cursor, a new set of strokes, a lifted pen).
 * onChange(hasInk) says the drawing changed: at most once per animation frame while
 * drawing, once more at the end of a stroke when it changed since, and at once after
 * clear() and setStrokes(). pixels() is the network's input for the drawing as it is now
 * (a new Float32Array(784), or null when the pad is empty), computed at most once per
 * change of the drawing, when asked for; showInput(pixels) puts one in the preview (the
 * page shows the input its bars answer; the preview turns black when the pad is cleared).
 * version() counts the drawing's changes as they happen (before onChange says so).
 */
import { copy as copyStrokes } from './strokes.js';
import { watchCanvas, frameLoop } from './canvas-watch.js';
import { createView, cssSize, INK_SIZE } from './draw-view.js';
import { bindInput } from './draw-input.js';

export { INK_SIZE };

const DEFAULT_PEN = 1 / 12; // of the pad's width: the pen the person sees (the ink's: inkPen)
const MIN_STEP = 0.0005;   // pointer moves shorter than this add no point

function label(canvas) {
  if (!canvas.hasAttribute('tabindex')) canvas.setAttribute('tabindex', '0');
  if (!canvas.hasAttribute('aria-label')) {
    canvas.setAttribute('aria-label', 'Drawing pad: write a digit with the mouse, a finger or a pen. ' +
      'With the keyboard: arrow keys move, Space puts the pen down or lifts it, Delete clears.');
  }
  canvas.style.touchAction = 'none';
}

export function createPad(options = {}) {
  const canvas = options.canvas;
  if (!canvas || typeof canvas.getContext !== 'function') throw new TypeError('createPad needs { canvas }');
  const onChange = typeof options.onChange === 'function' ? options.onChange : null;
  const win = (canvas.ownerDocument || document).defaultView || window;
  label(canvas);

  let strokes = [];
  let current = null;       // the stroke being drawn, also in strokes
  let penDown = false;      // the keyboard's pen
  const cursor = { x: 0.5, y: 0.5 };
  let focused = false;
  let keyboardMode = false; // the last input came from keys: show the cursor
  let pixels = null;        // the network's input for the drawing, when not stale
  let pixelsStale = false;
  let changed = false;      // the drawing changed since the last onChange
  let version = 0;          // the drawing's changes so far
  let viewDirty = true;     // the visible canvas must be drawn whole
  let destroyed = false;
  let penFraction = null;

  /* The pen as a fraction of the pad's width, so it scales with the pad;
   * options.penWidth (CSS px) is converted once the canvas has a size. */
  function pen() {
    if (penFraction !== null) return penFraction;
    if (!(options.penWidth > 0)) return (penFraction = DEFAULT_PEN);
    const w = cssSize(canvas).w;
    if (!w) return DEFAULT_PEN;
    return (penFraction = options.penWidth / w);
  }

  const view = createView(canvas, options.preview || null, pen);

  function drawView() {
    if (!viewDirty || !view.draw({ strokes, cursor, penDown, showCursor: focused && keyboardMode })) return;
    viewDirty = false; // (hidden: drawn when it gets a size)
    if (view.inkChanged() && strokes.length) {
      pixelsStale = true; // the ink canvas took the pad's new aspect
      changed = true;
      version++;
    }
  }

  function render() {
    if (destroyed) return;
    drawView();
    if (!changed) return;
    changed = false;
    if (!strokes.length) {
      pixels = null;
      pixelsStale = false;
      view.showPreview(null);
    }
    if (onChange) onChange(strokes.length > 0);
  }

  const frame = frameLoop(win, render);
  const schedule = () => { if (!destroyed) frame.schedule(); };
  /** Draws now whatever is pending (the view, and onChange). */
  const flush = () => {
    frame.cancel();
    render();
  };
  const redrawView = () => {
    viewDirty = true;
    schedule();
  };
  const inkChanged = () => {
    version++;
    pixelsStale = true;
    changed = true;
    schedule();
  };

  /* Ends the stroke in progress (pointer or keyboard): the canvas drawn whole (its
   * pieces become the exact stroke), onChange once more. */
  function end() {
    const had = current !== null;
    current = null;
    penDown = false;
    if (!had) return;
    viewDirty = true;
    flush();
  }

  /** Adds the stroke's newest point to the canvas now, or has it drawn whole next frame. */
  function drawTail() {
    if (viewDirty || !view.tail(current)) viewDirty = true;
  }

  function begin(p) {
    end();
    current = [{ x: p.x, y: p.y }];
    strokes.push(current);
    drawTail();
    inkChanged();
  }

  function extend(p) {
    if (!current) return;
    const last = current[current.length - 1];
    if (Math.abs(p.x - last.x) < MIN_STEP && Math.abs(p.y - last.y) < MIN_STEP) return;
    current.push({ x: p.x, y: p.y });
    drawTail();
    inkChanged();
  }

  function setStrokes(list) {
    current = null;
    penDown = false;
    strokes = copyStrokes(list);
    version++;
    viewDirty = true;
    pixelsStale = true;
    changed = true;
    flush();
  }

  const unbind = bindInput(canvas, {
    begin,
    extend,
    end,
    stroking: () => current !== null,
    clear: () => setStrokes([]),
    moveCursor(dx, dy) {
      cursor.x = Math.min(1, Math.max(0, cursor.x + dx));
      cursor.y = Math.min(1, Math.max(0, cursor.y + dy));
      if (penDown) extend(cursor);
      redrawView();
    },
    togglePen() {
      if (penDown) {
        end();
      } else {
        begin(cursor);
        penDown = true;
        redrawView(); // the cursor turns solid
      }
    },
    penDown: () => penDown,
    setKeyboardMode(on) {
      if (keyboardMode !== on) viewDirty = true;
      keyboardMode = on;
      schedule();
    },
    setFocus(on, fromKeyboard) {
      focused = on;
      if (on) keyboardMode = fromKeyboard;
      else if (penDown) end();
      redrawView();
    }
  });
  const stopWatching = watchCanvas(canvas, redrawView);

  view.showPreview(null);
  schedule();

  return {
    clear: () => setStrokes([]),
    isEmpty: () => strokes.length === 0,
    strokeCount: () => strokes.length,
    version: () => version,
    pixels() {
      if (destroyed || !strokes.length) return null;
      if (pixelsStale) {
        drawView(); // (the ink canvas's aspect follows the pad's)
        pixels = view.pixels(strokes);
        pixelsStale = false;
      }
      return pixels ? new Float32Array(pixels) : null;
    },
    showInput: (input) => { if (!destroyed) view.showPreview(input); },
    strokes: () => copyStrokes(strokes),
    setStrokes,
    redraw() {
      viewDirty = true;
      flush();
    },
    destroy() {
      destroyed = true;
      frame.cancel();
      unbind();
      stopWatching();
    }
  };
}
