/* chart-scales.js - the chart's geometry (one job: from the canvas's size and the data's
 * ranges to the plot's box, its ticks and the functions from values to pixels). No drawing.
 *
 * Exports:
 *   chartScales({width, height, legendHeight, small, xTop, lossMax}) -> {
 *     left, top, plotW, plotH,  the plot's box (CSS px)
 *     xStep, xEnd,              epoch ticks and the x range 0..xEnd
 *     lStep, lTop,              loss ticks and the loss range 0..lTop (left axis)
 *     px(x), pyL(loss), pyA(accuracy)   value -> pixel (accuracy 0..1 on the right axis)
 *   }
 *   decimals(step)              decimals needed to print multiples of step
 *   formatTick(value, decimals) a tick's text, no trailing zeros
 */

/** Round steps: 1, 2, 2.5, 5 x 10^k giving about `count` ticks up to max. */
function niceStep(max, count) {
  if (!(max > 0)) return 1;
  const raw = max / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * mag >= raw);
  return (step || 10) * mag;
}

/** 0.25 -> 2, 2.5 -> 1, 100 -> 0 */
export function decimals(step) {
  const frac = step.toFixed(6).replace(/0+$/, '').split('.')[1] || '';
  return Math.min(4, frac.length);
}

export function formatTick(v, d) {
  const s = v.toFixed(d);
  return d > 0 ? s.replace(/\.?0+$/, '') : s;
}

export function chartScales({ width, height, legendHeight, small, xTop, lossMax }) {
  const top = legendHeight + 26;
  const left = small ? 40 : 48;
  const right = small ? 40 : 48;
  const bottom = 36;
  const plotW = Math.max(10, width - left - right);
  const plotH = Math.max(10, height - top - bottom);

  // x: 0 .. max(target epochs, last x, 1)
  let xStep = niceStep(xTop, small ? 4 : 8);
  if (xStep < 1 && xTop >= 1) xStep = xTop <= 2 ? 0.5 : 1;
  const xEnd = Math.max(xTop, 0);

  // loss: 0 .. a round number above the largest loss
  const lossTop = lossMax > 0 ? lossMax : 2.5;
  const lStep = niceStep(lossTop, 5);
  const lTop = Math.ceil(lossTop / lStep - 1e-9) * lStep;

  return {
    left, top, plotW, plotH, xStep, xEnd, lStep, lTop,
    px: (x) => left + (x / xEnd) * plotW,
    pyL: (y) => top + plotH - (y / lTop) * plotH,
    pyA: (y) => top + plotH - y * plotH
  };
}
