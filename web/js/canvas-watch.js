/* canvas-watch.js - what makes a canvas draw again (one job, for the chart and the
 * drawing pad): a change of its size (layout, window), of devicePixelRatio (zoom, another
 * screen) or of the colour scheme (its CSS colours); and drawing at most once per
 * animation frame.
 *
 * Exports:
 *   watchCanvas(canvas, onChange) -> stop()   calls onChange() after each such change
 *   frameLoop(win, draw) -> {schedule(), cancel(), pending()}   draw() at the next frame
 *                          (on a timer where there is no requestAnimationFrame, or the frame
 *                          is late: LATE_FRAME_MS)
 */
export function watchCanvas(canvas, onChange) {
  const win = (canvas.ownerDocument && canvas.ownerDocument.defaultView) || window;
  const resize = typeof win.ResizeObserver === 'function' ? new win.ResizeObserver(() => onChange()) : null;
  if (resize) resize.observe(canvas);
  win.addEventListener('resize', onChange);
  let dpr = null;
  const onDpr = () => { watchDpr(); onChange(); };
  const watchDpr = () => {
    if (!win.matchMedia) return;
    if (dpr) dpr.removeEventListener('change', onDpr);
    dpr = win.matchMedia(`(resolution: ${win.devicePixelRatio || 1}dppx)`);
    dpr.addEventListener('change', onDpr);
  };
  watchDpr();
  // A theme switch changes the CSS colours.
  const dark = win.matchMedia ? win.matchMedia('(prefers-color-scheme: dark)') : null;
  if (dark) dark.addEventListener('change', onChange);
  return () => {
    if (resize) resize.disconnect();
    win.removeEventListener('resize', onChange);
    if (dpr) dpr.removeEventListener('change', onDpr);
    if (dark) dark.removeEventListener('change', onChange);
  };
}

/* A frame that has not come LATE_FRAME_MS after it was asked for is not waited for: a
 * hidden tab gets none, and a browser under load has been seen to give none for minutes
 * while the page's tasks went on. The draw then runs on a timer, so what is scheduled
 * always happens (the drawing's answer, the chart's last point). */
const LATE_FRAME_MS = 250;

export function frameLoop(win, draw) {
  let frame = 0;
  let timer = 0;
  const cancel = () => {
    if (frame) win.cancelAnimationFrame(frame);
    if (timer) clearTimeout(timer);
    frame = 0;
    timer = 0;
  };
  const run = () => {
    cancel();
    draw();
  };
  return {
    schedule() {
      if (frame || timer) return;
      const hasFrames = typeof win.requestAnimationFrame === 'function';
      if (hasFrames) frame = win.requestAnimationFrame(run);
      timer = setTimeout(run, hasFrames ? LATE_FRAME_MS : 16);
    },
    cancel,
    pending: () => frame !== 0 || timer !== 0
  };
}
