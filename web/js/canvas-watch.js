/* canvas-watch.js - what makes a canvas draw again (one job, for the chart and the
 * drawing pad): a change of its size (layout, window), of devicePixelRatio (zoom, another
 * screen) or of the colour scheme (its CSS colours); and drawing at most once per
 * animation frame.
 *
 * Exports:
 *   watchCanvas(canvas, onChange) -> stop()   calls onChange() after each such change
 *   frameLoop(win, draw) -> {schedule(), cancel(), pending()}   draw() at the next frame
 *                          (a 16 ms timer where there is no requestAnimationFrame)
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

export function frameLoop(win, draw) {
  let frame = 0;
  let isTimer = false;
  const run = () => {
    frame = 0;
    draw();
  };
  return {
    schedule() {
      if (frame) return;
      isTimer = typeof win.requestAnimationFrame !== 'function';
      frame = isTimer ? setTimeout(run, 16) : win.requestAnimationFrame(run);
    },
    cancel() {
      if (!frame) return;
      if (isTimer) clearTimeout(frame); else win.cancelAnimationFrame(frame);
      frame = 0;
    },
    pending: () => frame !== 0
  };
}
