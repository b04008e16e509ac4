/* draw.js - the drawing pad (one job: a person writes a digit with the mouse, a finger
 * or a pen, or the keyboard); MnistPreprocess (preprocess.js) turns the strokes into
 * the network's 28x28 input; MnistStrokes (strokes.js) renders the strokes.
 *
 * Public: window.MnistDraw = {
 *   create({ canvas, preview, onChange, penWidth }) -> pad
 *     pad = { clear(), isEmpty(), pixels(), strokes(), setStrokes(strokes),
 *             redraw(), destroy() }
 *   INK_SIZE (280)
 * }
 *
 * The pad stores strokes as lists of {x, y} points normalised to the canvas's
 * CSS size (0..1; a point may lie a little outside while the pointer is
 * captured), so a redraw at any size is exact. The visible canvas follows its
 * CSS size times devicePixelRatio and is transparent; ink is drawn in the
 * canvas's CSS `color` (or --draw-ink), so light and dark themes both work.
 *
 * Preprocessing does NOT read the visible canvas: the strokes are rendered
 * again into a fixed-size offscreen canvas (INK_SIZE on the longer side, the
 * pad's aspect ratio), with a pen relative to the drawing's size
 * (MnistPreprocess.inkPen: as thick as MNIST's strokes whether the person
 * writes small or large), and its alpha channel is the ink. That costs the same on
 * every screen (a 280x280 read instead of 560x560 at devicePixelRatio 2),
 * gives the network the same input for the same strokes whatever the display,
 * and keeps the keyboard cursor ring, which is drawn on the visible canvas,
 * out of the ink.
 *
 * onChange(pixels) gets a new Float32Array(784) (or null when the pad is
 * empty) at most once per animation frame while drawing, once at the end of
 * every stroke, and at once after clear() and setStrokes().
 *
 * Keyboard, while the pad has focus: arrow keys move a cursor (a ring, shown
 * while focused from the keyboard) by 1/28 of the pad, 1/7 with Shift; Space
 * or Enter puts the pen down or lifts it (moving with the pen down draws);
 * Escape lifts the pen; Delete or Backspace clears.
 */
(function () {
  'use strict';

  var Preprocess = window.MnistPreprocess;
  var preprocess = Preprocess.preprocess;
  var SIDE = Preprocess.SIDE;
  var INK_SIZE = 280;
  var DEFAULT_PEN = 1 / 12; // of the pad's width: the pen the person sees (the ink's: inkPen)
  var KEY_STEP = 1 / 28;
  var KEY_STEP_LARGE = 1 / 7;
  var MIN_STEP = 0.0005; // pointer moves shorter than this add no point
  var CURSOR_COLOUR = '#2563eb';
  var copyStrokes = window.MnistStrokes.copy;
  var drawStrokes = window.MnistStrokes.draw;

  function create(options) {
    options = options || {};
    var canvas = options.canvas;
    if (!canvas || typeof canvas.getContext !== 'function') throw new TypeError('MnistDraw.create needs { canvas }');
    var preview = options.preview || null;
    var onChange = typeof options.onChange === 'function' ? options.onChange : null;
    var doc = canvas.ownerDocument || document;
    var win = doc.defaultView || window;
    var ctx = canvas.getContext('2d');
    var inkCanvas = doc.createElement('canvas');
    var inkCtx = inkCanvas.getContext('2d', { willReadFrequently: true });
    inkCanvas.width = inkCanvas.height = INK_SIZE;
    var inkAlpha = null;

    var strokes = [];
    var current = null;      // the stroke being drawn, also in strokes
    var activePointer = null; // pointerId drawing `current`
    var penDown = false;     // keyboard pen
    var cursor = { x: 0.5, y: 0.5 };
    var focused = false;
    var keyboardMode = false; // last input came from keys: show the cursor
    var pixels = null;
    var viewDirty = true;
    var inkDirty = false;
    var frame = 0;
    var frameIsTimer = false;
    var destroyed = false;
    var penFraction = null;

    if (!canvas.hasAttribute('tabindex')) canvas.setAttribute('tabindex', '0');
    if (!canvas.hasAttribute('aria-label')) {
      canvas.setAttribute('aria-label', 'Drawing pad: write a digit with the mouse, a finger or a pen. ' +
        'With the keyboard: arrow keys move, Space puts the pen down or lifts it, Delete clears.');
    }
    canvas.style.touchAction = 'none';
    if (preview && (preview.width !== SIDE || preview.height !== SIDE)) preview.width = preview.height = SIDE;

    function cssSize() {
      var w = canvas.clientWidth, h = canvas.clientHeight;
      if (!w || !h) {
        var rect = canvas.getBoundingClientRect();
        w = rect.width;
        h = rect.height;
      }
      return { w: w, h: h };
    }

    /* The pen as a fraction of the pad's width, so it scales with the pad;
     * options.penWidth (CSS px) is converted once the canvas has a size. */
    function pen() {
      if (penFraction !== null) return penFraction;
      if (!(options.penWidth > 0)) return (penFraction = DEFAULT_PEN);
      var w = cssSize().w;
      if (!w) return DEFAULT_PEN;
      return (penFraction = options.penWidth / w);
    }

    function cssVar(name, fallback) {
      var cs = win.getComputedStyle(canvas);
      var v = cs.getPropertyValue(name);
      return v && v.trim() ? v.trim() : fallback || cs.color || '#000';
    }

    function schedule() {
      if (frame || destroyed) return;
      if (typeof win.requestAnimationFrame === 'function') {
        frameIsTimer = false;
        frame = win.requestAnimationFrame(onFrame);
      } else {
        frameIsTimer = true;
        frame = setTimeout(onFrame, 16);
      }
    }

    function cancelFrame() {
      if (!frame) return;
      if (frameIsTimer) clearTimeout(frame);
      else win.cancelAnimationFrame(frame);
      frame = 0;
    }

    function onFrame() {
      frame = 0;
      render();
    }

    /** Draws now whatever is pending (the view, the pixels and onChange). */
    function flush() {
      cancelFrame();
      render();
    }

    function render() {
      if (destroyed) return;
      if (viewDirty) drawView();
      if (inkDirty) updatePixels();
    }

    function drawView() {
      var css = cssSize();
      if (!css.w || !css.h) return; // hidden: drawn when it gets a size
      viewDirty = false;
      var dpr = win.devicePixelRatio || 1;
      var pw = Math.max(1, Math.round(css.w * dpr));
      var ph = Math.max(1, Math.round(css.h * dpr));
      if (canvas.width !== pw || canvas.height !== ph) {
        canvas.width = pw;
        canvas.height = ph;
      }
      // The offscreen ink canvas keeps the pad's aspect ratio.
      var iw = css.w >= css.h ? INK_SIZE : Math.max(1, Math.round(INK_SIZE * css.w / css.h));
      var ih = css.h >= css.w ? INK_SIZE : Math.max(1, Math.round(INK_SIZE * css.h / css.w));
      if (inkCanvas.width !== iw || inkCanvas.height !== ih) {
        inkCanvas.width = iw;
        inkCanvas.height = ih;
        if (strokes.length) inkDirty = true;
      }
      ctx.clearRect(0, 0, pw, ph);
      drawStrokes(ctx, strokes, pw, ph, pen() * pw, cssVar('--draw-ink'));
      if (focused && keyboardMode) drawCursor(pw, ph, dpr);
    }

    function drawCursor(pw, ph, dpr) {
      ctx.save();
      ctx.strokeStyle = cssVar('--draw-cursor', CURSOR_COLOUR);
      ctx.lineWidth = 2 * dpr;
      // Dashed while the pen is up, solid while it draws.
      if (!penDown) ctx.setLineDash([3 * dpr, 3 * dpr]);
      ctx.beginPath();
      ctx.arc(cursor.x * pw, cursor.y * ph, Math.max(5 * dpr, pen() * pw / 2), 0, 2 * Math.PI);
      ctx.stroke();
      ctx.restore();
    }

    function updatePixels() {
      inkDirty = false;
      if (!strokes.length) {
        pixels = null;
      } else {
        var w = inkCanvas.width, h = inkCanvas.height;
        inkCtx.clearRect(0, 0, w, h);
        drawStrokes(inkCtx, strokes, w, h, Preprocess.inkPen(strokes, w, h), '#000');
        var rgba = inkCtx.getImageData(0, 0, w, h).data;
        if (!inkAlpha || inkAlpha.length !== w * h) inkAlpha = new Uint8ClampedArray(w * h);
        for (var i = 0, n = w * h; i < n; i++) inkAlpha[i] = rgba[4 * i + 3];
        pixels = preprocess(inkAlpha, w, h);
      }
      drawPreview();
      if (onChange) onChange(pixels);
    }

    function drawPreview() {
      if (!preview) return;
      var pctx = preview.getContext('2d');
      if (!pixels) {
        pctx.fillStyle = '#000';
        pctx.fillRect(0, 0, preview.width, preview.height);
        return;
      }
      window.MnistDom.drawDigit(preview, pixels.map(function (v) { return Math.round(v * 255); }), 0);
    }

    function changed() {
      viewDirty = true;
      inkDirty = true;
      schedule();
    }

    function beginStroke(p) {
      endStroke();
      current = [{ x: p.x, y: p.y }];
      strokes.push(current);
      changed();
    }

    function extendStroke(p) {
      if (!current) return;
      var last = current[current.length - 1];
      if (Math.abs(p.x - last.x) < MIN_STEP && Math.abs(p.y - last.y) < MIN_STEP) return;
      current.push({ x: p.x, y: p.y });
      changed();
    }

    /* Ends the stroke in progress (pointer or keyboard); onChange once more. */
    function endStroke() {
      var had = current !== null;
      current = null;
      activePointer = null;
      if (penDown) {
        penDown = false;
        viewDirty = true;
      }
      if (had) flush();
    }

    function pointOf(e) {
      var rect = canvas.getBoundingClientRect();
      return {
        x: rect.width ? (e.clientX - rect.left) / rect.width : 0,
        y: rect.height ? (e.clientY - rect.top) / rect.height : 0
      };
    }

    function onPointerDown(e) {
      if (activePointer !== null && activePointer !== e.pointerId) return; // a second finger
      if (e.pointerType === 'mouse' && e.button !== 0) return;
      e.preventDefault();
      if (keyboardMode) { keyboardMode = false; viewDirty = true; }
      beginStroke(pointOf(e));
      activePointer = e.pointerId;
      try { canvas.setPointerCapture(e.pointerId); } catch (err) { /* synthetic or gone */ }
    }

    function onPointerMove(e) {
      if (activePointer === null || e.pointerId !== activePointer) return;
      // Coalesced events carry the positions between frames for fast strokes.
      var events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : null;
      if (!events || !events.length) events = [e];
      for (var i = 0; i < events.length; i++) extendStroke(pointOf(events[i]));
    }

    function onPointerUp(e) {
      if (activePointer === null || e.pointerId !== activePointer) return;
      endStroke();
    }

    function moveCursor(dx, dy) {
      cursor.x = Math.min(1, Math.max(0, cursor.x + dx));
      cursor.y = Math.min(1, Math.max(0, cursor.y + dy));
      viewDirty = true;
      if (penDown) extendStroke(cursor);
      schedule();
    }

    function onKeyDown(e) {
      if (e.ctrlKey || e.metaKey || e.altKey) return; // the browser's shortcuts
      var step = e.shiftKey ? KEY_STEP_LARGE : KEY_STEP;
      switch (e.key) {
        case 'ArrowLeft': moveCursor(-step, 0); break;
        case 'ArrowRight': moveCursor(step, 0); break;
        case 'ArrowUp': moveCursor(0, -step); break;
        case 'ArrowDown': moveCursor(0, step); break;
        case ' ': case 'Spacebar': case 'Enter':
          if (penDown) {
            endStroke();
          } else {
            beginStroke(cursor);
            penDown = true;
          }
          break;
        case 'Escape':
          if (!penDown) return; // nothing to do: let the page use Escape
          endStroke();
          break;
        case 'Delete': case 'Backspace':
          clear();
          break;
        default:
          return;
      }
      e.preventDefault();
      if (!keyboardMode) { keyboardMode = true; viewDirty = true; }
      schedule();
    }

    function onFocus() {
      focused = true;
      // Like :focus-visible: a click shows no cursor, a Tab does.
      try { keyboardMode = canvas.matches(':focus-visible'); } catch (err) { keyboardMode = true; }
      viewDirty = true;
      schedule();
    }

    function onBlur() {
      focused = false;
      if (penDown) endStroke();
      viewDirty = true;
      schedule();
    }

    function onResize() {
      viewDirty = true;
      schedule();
    }

    var resizeObserver = typeof win.ResizeObserver === 'function' ? new win.ResizeObserver(onResize) : null;
    if (resizeObserver) resizeObserver.observe(canvas);
    win.addEventListener('resize', onResize);
    var dprQuery = null;
    function watchDpr() {
      if (!win.matchMedia) return;
      if (dprQuery) dprQuery.removeEventListener('change', onDpr);
      dprQuery = win.matchMedia('(resolution: ' + (win.devicePixelRatio || 1) + 'dppx)');
      dprQuery.addEventListener('change', onDpr);
    }
    function onDpr() { watchDpr(); onResize(); }
    watchDpr();
    // A theme switch changes the ink colour.
    var darkQuery = win.matchMedia ? win.matchMedia('(prefers-color-scheme: dark)') : null;
    if (darkQuery) darkQuery.addEventListener('change', onResize);

    var listeners = [
      ['pointerdown', onPointerDown], ['pointermove', onPointerMove], ['pointerup', onPointerUp],
      ['pointercancel', onPointerUp], ['lostpointercapture', onPointerUp],
      ['keydown', onKeyDown], ['focus', onFocus], ['blur', onBlur]
    ];
    listeners.forEach(function (l) { canvas.addEventListener(l[0], l[1]); });

    function clear() {
      current = null;
      activePointer = null;
      penDown = false;
      strokes = [];
      viewDirty = true;
      inkDirty = true;
      flush();
    }

    function setStrokes(list) {
      current = null;
      activePointer = null;
      penDown = false;
      strokes = copyStrokes(list);
      viewDirty = true;
      inkDirty = true;
      flush();
    }

    function destroy() {
      destroyed = true;
      cancelFrame();
      listeners.forEach(function (l) { canvas.removeEventListener(l[0], l[1]); });
      if (resizeObserver) resizeObserver.disconnect();
      win.removeEventListener('resize', onResize);
      if (dprQuery) dprQuery.removeEventListener('change', onDpr);
      if (darkQuery) darkQuery.removeEventListener('change', onResize);
    }

    drawPreview();
    schedule();

    return {
      clear: clear,
      isEmpty: function () { return strokes.length === 0; },
      pixels: function () {
        if (inkDirty) flush();
        return pixels ? new Float32Array(pixels) : null;
      },
      strokes: function () { return copyStrokes(strokes); },
      setStrokes: setStrokes,
      redraw: function () { viewDirty = true; flush(); },
      destroy: destroy
    };
  }

  window.MnistDraw = { INK_SIZE: INK_SIZE, create: create };
})();
