/* chart.js - a canvas line chart of training: loss (left axis) and train/test
 * accuracy (right axis, 0-100%) against epochs (fractional x).
 *
 * Public: window.MnistChart = { create(canvas, options) } returning
 *   { addPoint({x, loss, trainAccuracy, testAccuracy}), clear(), draw(),
 *     setXMax(epochs), destroy() }.
 * Accuracies are fractions 0..1; any of the three values may be absent in a point.
 * The history is bounded: past HISTORY_MAX points a series is thinned to the min and max
 * of each of HISTORY_COLUMNS slices of its x range (what a chart can show anyway), so a
 * run of any length holds a few hundred KB at most.
 * Drawing is throttled to one frame (requestAnimationFrame); the canvas follows its
 * CSS size and devicePixelRatio. Colours come from CSS custom properties on the
 * canvas (--chart-loss, --chart-train, --chart-test, --chart-grid, --chart-axis,
 * --chart-text, --chart-muted) so that the page's light and dark themes apply.
 */
(function () {
  'use strict';

  var FALLBACK = {
    loss: '#c2410c', train: '#1d4ed8', test: '#047857',
    grid: '#e5e7eb', axis: '#9ca3af', text: '#374151', muted: '#6b7280', bg: '#ffffff'
  };

  var SERIES = [
    { key: 'loss', label: 'Training loss', color: 'loss', dash: [], width: 2, axis: 'left' },
    { key: 'train', label: 'Train accuracy', color: 'train', dash: [6, 4], width: 2, axis: 'right' },
    { key: 'test', label: 'Test accuracy', color: 'test', dash: [], width: 2.5, axis: 'right', markers: true }
  ];

  var HISTORY_MAX = 8192;
  var HISTORY_COLUMNS = 2048;

  function finite(v) {
    return typeof v === 'number' && isFinite(v);
  }

  /** Round steps: 1, 2, 2.5, 5 x 10^k giving about `count` ticks up to max. */
  function niceStep(max, count) {
    if (!(max > 0)) return 1;
    var raw = max / Math.max(1, count);
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * mag >= raw) return steps[i] * mag;
    }
    return 10 * mag;
  }

  /** Decimals needed to print multiples of step (0.25 -> 2, 2.5 -> 1, 100 -> 0). */
  function decimals(step) {
    var frac = step.toFixed(6).replace(/0+$/, '').split('.')[1] || '';
    return Math.min(4, frac.length);
  }

  function create(canvas, options) {
    options = options || {};
    var ctx = canvas.getContext('2d');
    var data = { loss: [], train: [], test: [] };
    var xMax = 0;
    var frame = 0;
    var destroyed = false;
    var emptyText = options.emptyText || 'The curves appear here while the network trains.';

    function colors() {
      var cs = getComputedStyle(canvas);
      function v(name, fb) {
        var s = cs.getPropertyValue(name);
        return s && s.trim() ? s.trim() : fb;
      }
      return {
        loss: v('--chart-loss', FALLBACK.loss),
        train: v('--chart-train', FALLBACK.train),
        test: v('--chart-test', FALLBACK.test),
        grid: v('--chart-grid', FALLBACK.grid),
        axis: v('--chart-axis', FALLBACK.axis),
        text: v('--chart-text', FALLBACK.text),
        muted: v('--chart-muted', FALLBACK.muted),
        bg: v('--chart-bg', FALLBACK.bg),
        font: cs.fontFamily || 'system-ui, sans-serif'
      };
    }

    function schedule() {
      if (frame || destroyed) return;
      frame = requestAnimationFrame(function () {
        frame = 0;
        draw();
      });
    }

    function addPoint(p) {
      if (!p || !finite(p.x)) return;
      if (finite(p.loss)) push(data.loss, p.x, p.loss);
      if (finite(p.trainAccuracy)) push(data.train, p.x, p.trainAccuracy);
      if (finite(p.testAccuracy)) push(data.test, p.x, p.testAccuracy);
      schedule();
    }

    function push(arr, x, y) {
      // x only grows; a point at the same x replaces the last one.
      var last = arr[arr.length - 1];
      if (last && x < last.x) return;
      if (last && x === last.x) { last.y = y; return; }
      arr.push({ x: x, y: y });
      if (arr.length > HISTORY_MAX) {
        var x0 = arr[0].x, span = (x - x0) || 1;
        var kept = decimate(arr, function (v) { return ((v - x0) / span) * HISTORY_COLUMNS; }, HISTORY_COLUMNS);
        arr.length = 0;
        Array.prototype.push.apply(arr, kept);
      }
    }

    function clear() {
      data = { loss: [], train: [], test: [] };
      schedule();
    }

    function setXMax(n) {
      xMax = finite(n) && n > 0 ? n : 0;
      schedule();
    }

    /** Keeps the first, last, and per pixel column the min and max point. */
    function decimate(arr, toPx, width) {
      if (arr.length <= width * 2) return arr;
      var out = [];
      var col = -1, lo = null, hi = null;
      function flush() {
        if (lo === null) return;
        if (lo === hi) out.push(lo);
        else if (lo.x <= hi.x) { out.push(lo); out.push(hi); } else { out.push(hi); out.push(lo); }
      }
      for (var i = 0; i < arr.length; i++) {
        var p = arr[i];
        var c = Math.floor(toPx(p.x));
        if (c !== col) { flush(); col = c; lo = hi = p; continue; }
        if (p.y < lo.y) lo = p;
        if (p.y > hi.y) hi = p;
      }
      flush();
      return out;
    }

    function draw() {
      if (destroyed) return;
      var cssW = canvas.clientWidth;
      var cssH = canvas.clientHeight;
      if (!cssW || !cssH) return;
      var dpr = window.devicePixelRatio || 1;
      var pw = Math.round(cssW * dpr);
      var ph = Math.round(cssH * dpr);
      if (canvas.width !== pw || canvas.height !== ph) {
        canvas.width = pw;
        canvas.height = ph;
      }
      var c = colors();
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, cssW, cssH);

      var small = cssW < 480;
      var fontSize = small ? 11 : 12;
      ctx.font = fontSize + 'px ' + c.font;
      ctx.textBaseline = 'middle';

      // Legend first: it may wrap to two rows on a phone, which moves the plot down.
      var legend = layoutLegend(cssW, fontSize);
      var top = legend.height + 26;
      var left = small ? 40 : 48;
      var right = small ? 40 : 48;
      var bottom = 36;
      var plotW = Math.max(10, cssW - left - right);
      var plotH = Math.max(10, cssH - top - bottom);

      // x range: 0 .. max(target epochs, last x)
      var lastX = 0;
      ['loss', 'train', 'test'].forEach(function (k) {
        var a = data[k];
        if (a.length) lastX = Math.max(lastX, a[a.length - 1].x);
      });
      var xTop = Math.max(xMax, lastX, 1);
      var xStep = niceStep(xTop, small ? 4 : 8);
      if (xStep < 1 && xTop >= 1) xStep = xTop <= 2 ? 0.5 : 1;
      var xEnd = Math.max(xTop, 0);

      // loss range: 0 .. nice max
      var lossMax = 0;
      data.loss.forEach(function (p) { if (p.y > lossMax) lossMax = p.y; });
      if (!(lossMax > 0)) lossMax = 2.5;
      var lStep = niceStep(lossMax, 5);
      var lTop = Math.ceil(lossMax / lStep - 1e-9) * lStep;

      function px(x) { return left + (x / xEnd) * plotW; }
      function pyL(y) { return top + plotH - (y / lTop) * plotH; }
      function pyA(y) { return top + plotH - y * plotH; }

      // grid: horizontal lines at the accuracy ticks (0, 20, ... 100%)
      ctx.lineWidth = 1;
      ctx.strokeStyle = c.grid;
      ctx.setLineDash([]);
      ctx.beginPath();
      for (var a = 0; a <= 5; a++) {
        var gy = Math.round(pyA(a / 5)) + 0.5;
        ctx.moveTo(left, gy);
        ctx.lineTo(left + plotW, gy);
      }
      for (var gx = xStep; gx < xEnd - 1e-9; gx += xStep) {
        var vx = Math.round(px(gx)) + 0.5;
        ctx.moveTo(vx, top);
        ctx.lineTo(vx, top + plotH);
      }
      ctx.stroke();

      // axes frame
      ctx.strokeStyle = c.axis;
      ctx.beginPath();
      ctx.moveTo(left + 0.5, top);
      ctx.lineTo(left + 0.5, top + plotH + 0.5);
      ctx.lineTo(left + plotW - 0.5, top + plotH + 0.5);
      ctx.lineTo(left + plotW - 0.5, top);
      ctx.stroke();

      // tick labels
      ctx.fillStyle = c.text;
      ctx.textAlign = 'right';
      var ld = decimals(lStep);
      for (var lv = 0; lv <= lTop + 1e-9; lv += lStep) {
        ctx.fillText(lv.toFixed(ld), left - 6, pyL(lv));
      }
      ctx.textAlign = 'left';
      for (var av = 0; av <= 5; av++) {
        ctx.fillText(av * 20 + '%', left + plotW + 6, pyA(av / 5));
      }
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      var xd = decimals(xStep);
      for (var xv = 0; xv <= xEnd + 1e-9; xv += xStep) {
        ctx.fillText(formatTick(xv, xd), px(xv), top + plotH + 5);
      }
      // axis titles
      ctx.fillStyle = c.muted;
      ctx.fillText('Epoch', left + plotW / 2, top + plotH + 20);
      ctx.textBaseline = 'bottom';
      ctx.textAlign = 'left';
      ctx.fillText('Loss', 4, top - 10);
      ctx.textAlign = 'right';
      ctx.fillText('Accuracy', cssW - 4, top - 10);

      // series, clipped to the plot
      ctx.save();
      ctx.beginPath();
      ctx.rect(left, top - 2, plotW, plotH + 4);
      ctx.clip();
      ctx.lineJoin = 'round';
      ctx.lineCap = 'round';
      SERIES.forEach(function (s) {
        var arr = data[s.key];
        if (!arr.length) return;
        var py = s.axis === 'left' ? function (y) { return pyL(Math.min(y, lTop * 1.05)); } : pyA;
        var pts = decimate(arr, px, plotW);
        ctx.strokeStyle = c[s.color];
        ctx.fillStyle = c[s.color];
        ctx.lineWidth = s.width;
        ctx.setLineDash(s.dash);
        ctx.beginPath();
        for (var i = 0; i < pts.length; i++) {
          var X = px(pts[i].x), Y = py(pts[i].y);
          if (i === 0) ctx.moveTo(X, Y); else ctx.lineTo(X, Y);
        }
        if (pts.length === 1) {
          ctx.setLineDash([]);
          ctx.arc(px(pts[0].x), py(pts[0].y), 2.5, 0, Math.PI * 2);
          ctx.fill();
        } else {
          ctx.stroke();
        }
        ctx.setLineDash([]);
        if (s.markers && arr.length <= plotW / 24) {
          arr.forEach(function (p) {
            ctx.beginPath();
            ctx.arc(px(p.x), py(p.y), 3.5, 0, Math.PI * 2);
            ctx.fillStyle = c.bg;
            ctx.fill();
            ctx.lineWidth = 2;
            ctx.stroke();
          });
        }
      });
      ctx.restore();

      // empty state
      if (!data.loss.length && !data.train.length && !data.test.length) {
        ctx.fillStyle = c.muted;
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.font = (small ? 12 : 13) + 'px ' + c.font;
        ctx.fillText(emptyText, left + plotW / 2, top + plotH / 2, plotW - 16);
        ctx.font = fontSize + 'px ' + c.font;
      }

      drawLegend(legend, c);
    }

    function formatTick(v, d) {
      var s = v.toFixed(d);
      return d > 0 ? s.replace(/\.?0+$/, '') : s;
    }

    /** Flows the legend entries into rows centred at the top. */
    function layoutLegend(width, fontSize) {
      var swatch = 22, gap = 6, spacing = 18;
      var rows = [[]], rowW = [0];
      SERIES.forEach(function (s) {
        var w = swatch + gap + ctx.measureText(s.label).width;
        var r = rows.length - 1;
        var need = rowW[r] ? rowW[r] + spacing + w : w;
        if (need > width - 16 && rows[r].length) {
          rows.push([]);
          rowW.push(0);
          r++;
          need = w;
        }
        rows[r].push({ s: s, w: w });
        rowW[r] = need;
      });
      var lineH = fontSize + 8;
      return { rows: rows, rowW: rowW, lineH: lineH, width: width, swatch: swatch, gap: gap,
        spacing: spacing, height: rows.length * lineH };
    }

    function drawLegend(L, c) {
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      L.rows.forEach(function (row, r) {
        var x = (L.width - L.rowW[r]) / 2;
        var y = 4 + r * L.lineH + L.lineH / 2;
        row.forEach(function (item) {
          var s = item.s;
          ctx.strokeStyle = c[s.color];
          ctx.fillStyle = c[s.color];
          ctx.lineWidth = s.width;
          ctx.setLineDash(s.dash);
          ctx.beginPath();
          ctx.moveTo(x + 1, y);
          ctx.lineTo(x + L.swatch - 1, y);
          ctx.stroke();
          ctx.setLineDash([]);
          if (s.markers) {
            ctx.beginPath();
            ctx.arc(x + L.swatch / 2, y, 3.5, 0, Math.PI * 2);
            ctx.fillStyle = c.bg;
            ctx.fill();
            ctx.lineWidth = 2;
            ctx.stroke();
          }
          ctx.fillStyle = c.text;
          ctx.fillText(s.label, x + L.swatch + L.gap, y);
          x += item.w + L.spacing;
        });
      });
    }

    // Redraw on size changes (layout, window resize) and on devicePixelRatio changes.
    var ro = null;
    if (typeof ResizeObserver === 'function') {
      ro = new ResizeObserver(schedule);
      ro.observe(canvas);
    }
    window.addEventListener('resize', schedule);
    var mq = null;
    function watchDpr() {
      if (!window.matchMedia) return;
      if (mq) mq.removeEventListener('change', onDpr);
      mq = window.matchMedia('(resolution: ' + (window.devicePixelRatio || 1) + 'dppx)');
      mq.addEventListener('change', onDpr);
    }
    function onDpr() { watchDpr(); schedule(); }
    watchDpr();
    // Theme switches change the CSS colours.
    var dark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
    if (dark) dark.addEventListener('change', schedule);

    function destroy() {
      destroyed = true;
      if (frame) cancelAnimationFrame(frame);
      if (ro) ro.disconnect();
      window.removeEventListener('resize', schedule);
      if (mq) mq.removeEventListener('change', onDpr);
      if (dark) dark.removeEventListener('change', schedule);
    }

    schedule();
    return { addPoint: addPoint, clear: clear, draw: draw, setXMax: setXMax, destroy: destroy };
  }

  window.MnistChart = { create: create };
})();
