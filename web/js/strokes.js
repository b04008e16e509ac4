/* strokes.js - a drawing's strokes (one job: lists of {x, y} points, 0..1 of the pad,
 * copied safely and rendered onto a 2D canvas context). The pad (draw.js) draws them
 * on screen and into its offscreen ink canvas.
 *
 * Exports:
 *   copy(strokes) -> [[{x, y}, ...], ...]   accepts points as {x, y} or [x, y]; drops bad points
 *   draw(ctx, strokes, w, h, lineWidth, colour)   round-capped smooth strokes scaled to w x h
 *   drawTail(ctx, points, w, h, lineWidth, colour)   what the last point of a stroke adds to it:
 *                  drawn after each new point, the pieces add up to draw()'s stroke (up to
 *                  the antialiased edges where they overlap), so a pen's ink needs no redraw
 */
/** Copies strokes, accepting points as {x, y} or [x, y]; drops bad points. */
function copyStrokes(strokes) {
  var result = [];
  (strokes || []).forEach(function (stroke) {
    var points = [];
    (stroke || []).forEach(function (p) {
      var x = Array.isArray(p) ? p[0] : p && p.x;
      var y = Array.isArray(p) ? p[1] : p && p.y;
      if (typeof x === 'number' && typeof y === 'number' && isFinite(x) && isFinite(y)) points.push({ x: x, y: y });
    });
    if (points.length) result.push(points);
  });
  return result;
}

/**
 * Strokes one point list on ctx scaled to w x h pixels: a dot for a single
 * point, otherwise quadratic curves through the midpoints of successive
 * points (smooth, and it still passes through the first and last point).
 */
function traceStroke(ctx, points, w, h, lineWidth) {
  var p0 = points[0];
  var moved = false;
  for (var m = 1; m < points.length && !moved; m++) moved = points[m].x !== p0.x || points[m].y !== p0.y;
  if (!moved) {
    ctx.beginPath();
    ctx.arc(p0.x * w, p0.y * h, lineWidth / 2, 0, 2 * Math.PI);
    ctx.fill();
    return;
  }
  ctx.beginPath();
  ctx.moveTo(p0.x * w, p0.y * h);
  if (points.length === 2) {
    ctx.lineTo(points[1].x * w, points[1].y * h);
  } else {
    ctx.lineTo((p0.x + points[1].x) / 2 * w, (p0.y + points[1].y) / 2 * h);
    for (var i = 1; i < points.length - 1; i++) {
      var p = points[i], next = points[i + 1];
      ctx.quadraticCurveTo(p.x * w, p.y * h, (p.x + next.x) / 2 * w, (p.y + next.y) / 2 * h);
    }
    var last = points[points.length - 1];
    ctx.lineTo(last.x * w, last.y * h);
  }
  ctx.stroke();
}

/** Draws with the pen set: round caps and joins, lineWidth, colour. */
function withPen(ctx, lineWidth, colour, draw) {
  ctx.save();
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.lineWidth = lineWidth;
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  draw();
  ctx.restore();
}

function drawStrokes(ctx, strokes, w, h, lineWidth, colour) {
  withPen(ctx, lineWidth, colour, function () {
    for (var s = 0; s < strokes.length; s++) traceStroke(ctx, strokes[s], w, h, lineWidth);
  });
}

/**
 * The piece of traceStroke's path that the last of n points adds: for n = 1 or 2, the
 * whole (short) stroke; else the curve from the midpoint before the previous point, through
 * it, to the midpoint after it, then the straight tail to the new point (which the
 * previous piece's tail, to the previous point, approximated).
 */
function drawTail(ctx, points, w, h, lineWidth, colour) {
  var n = points.length;
  if (n <= 2) {
    drawStrokes(ctx, [points], w, h, lineWidth, colour);
    return;
  }
  var a = points[n - 3], b = points[n - 2], c = points[n - 1];
  withPen(ctx, lineWidth, colour, function () {
    ctx.beginPath();
    ctx.moveTo((a.x + b.x) / 2 * w, (a.y + b.y) / 2 * h);
    ctx.quadraticCurveTo(b.x * w, b.y * h, (b.x + c.x) / 2 * w, (b.y + c.y) / 2 * h);
    ctx.lineTo(c.x * w, c.y * h);
    ctx.stroke();
  });
}

export { copyStrokes as copy, drawStrokes as draw, drawTail };
