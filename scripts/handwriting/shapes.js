'use strict';
/**
 * The digits' shapes, as people write them: for each digit, several writing styles, each
 * a list of strokes in the order a hand draws them. A stroke is one pen-down movement,
 * built from pieces joined end to end:
 *   line(x0, y0, x1, y1, ...)        straight segments through the points
 *   arc(cx, cy, rx, ry, from, to)    part of an ellipse; angles in degrees, 0 = right,
 *                                    90 = top, counter-clockwise as seen (y grows down)
 *   curve(x0, y0, x1, y1, ...)       a smooth curve through the points (Catmull-Rom)
 * The unit box: x 0..1 to the right, y 0..1 down; a digit is 1 tall and about 0.6 wide.
 * generate.js turns these into pad strokes (slant, size, position, wobble, the device).
 *
 * Public: STYLES = { '0': { name: [stroke, ...], ... }, ..., '9': {...} },
 *   each stroke a list of pieces {kind, points | arc}; flatten(stroke) -> [[x, y], ...].
 */

function line(...xy) {
  return { kind: 'line', points: pairs(xy) };
}
function arc(cx, cy, rx, ry, from, to) {
  return { kind: 'arc', cx, cy, rx, ry, from, to };
}
function curve(...xy) {
  return { kind: 'curve', points: pairs(xy) };
}
function pairs(xy) {
  const points = [];
  for (let i = 0; i < xy.length; i += 2) points.push([xy[i], xy[i + 1]]);
  return points;
}

const STYLES = {
  0: {
    // An oval started at the top and drawn anticlockwise, closing a little past the start.
    oval: [[arc(0.3, 0.5, 0.28, 0.5, 95, 95 + 370)]],
    // Clockwise, with the end overshooting inside the start (a small tail at the top).
    clockwise: [[arc(0.3, 0.5, 0.29, 0.49, 80, 80 - 385)]],
    // A narrower, egg-shaped zero: wider at the bottom.
    egg: [[curve(0.32, 0.0, 0.12, 0.12, 0.03, 0.5, 0.12, 0.9, 0.34, 1.0, 0.55, 0.82, 0.58, 0.45, 0.5, 0.12, 0.3, 0.02)]]
  },
  1: {
    stick: [[line(0.3, 0.0, 0.3, 1.0)]],
    // An up-stroke "flag" at the top, then down.
    flag: [[line(0.08, 0.24, 0.34, 0.0, 0.34, 1.0)]],
    // Flag and a base (serif foot) drawn as a second stroke.
    'flag-base': [[line(0.1, 0.22, 0.34, 0.0, 0.34, 1.0)], [line(0.08, 1.0, 0.6, 1.0)]]
  },
  2: {
    // A round top, a diagonal, a flat base.
    curve: [[arc(0.3, 0.28, 0.27, 0.27, 155, -35), line(0.52, 0.44, 0.02, 1.0, 0.62, 1.0)]],
    // The diagonal ends in a small loop before the base.
    loop: [[arc(0.3, 0.28, 0.27, 0.27, 155, -35),
      curve(0.52, 0.44, 0.3, 0.7, 0.12, 0.9, 0.04, 1.0, 0.0, 0.9, 0.1, 0.84, 0.2, 0.93, 0.3, 1.0, 0.62, 0.99)]],
    // Angular, like a Z with a slanted top.
    angular: [[line(0.04, 0.12, 0.3, 0.0, 0.56, 0.1, 0.04, 1.0, 0.62, 1.0)]]
  },
  3: {
    // Two round bumps meeting in the middle.
    round: [[arc(0.3, 0.24, 0.26, 0.23, 155, -90), arc(0.3, 0.73, 0.3, 0.27, 90, -155)]],
    // A flat top, a diagonal down to the middle, one round bump below.
    flat: [[line(0.04, 0.02, 0.58, 0.02, 0.24, 0.42), arc(0.28, 0.7, 0.31, 0.28, 100, -155)]]
  },
  4: {
    // Closed: the diagonal down, across, then the upright through the corner.
    closed: [[line(0.44, 0.0, 0.0, 0.66, 0.64, 0.66)], [line(0.46, 0.02, 0.46, 1.0)]],
    // Open: a left upright, across, then a long upright on the right.
    open: [[line(0.06, 0.0, 0.04, 0.6, 0.64, 0.6)], [line(0.48, 0.0, 0.48, 1.0)]],
    // Open and written in one go: down, across, back up and down the right.
    'open-one': [[line(0.06, 0.02, 0.03, 0.58, 0.62, 0.58)], [line(0.46, 0.08, 0.5, 0.62, 0.5, 1.0)]]
  },
  5: {
    // The body first, then the top bar as a second stroke.
    'bar-last': [[line(0.1, 0.02, 0.07, 0.46), arc(0.3, 0.69, 0.3, 0.27, 130, -145)], [line(0.1, 0.02, 0.6, 0.0)]],
    // One stroke: the bar right to left, down, the bump.
    'one-stroke': [[line(0.6, 0.0, 0.1, 0.02, 0.07, 0.46), arc(0.3, 0.69, 0.3, 0.27, 130, -145)]]
  },
  6: {
    // A curved back into a round loop.
    round: [[curve(0.52, 0.0, 0.25, 0.14, 0.08, 0.42, 0.05, 0.7), arc(0.3, 0.74, 0.25, 0.25, 180, 180 + 330)]],
    // A straight back and a smaller loop.
    straight: [[line(0.46, 0.0, 0.06, 0.7), arc(0.3, 0.78, 0.25, 0.22, 190, 190 + 330)]]
  },
  7: {
    plain: [[line(0.02, 0.04, 0.6, 0.04, 0.24, 1.0)]],
    // The European 7: a crossbar through the middle as a second stroke.
    crossed: [[line(0.02, 0.04, 0.6, 0.04, 0.24, 1.0)], [line(0.16, 0.52, 0.56, 0.5)]],
    // A little hook down at the start of the top bar.
    hook: [[line(0.02, 0.18, 0.03, 0.04, 0.6, 0.04, 0.26, 1.0)]]
  },
  8: {
    // One stroke: over the top to the left, an S down, round the bottom, back up.
    snake: [[curve(0.55, 0.12, 0.3, 0.0, 0.07, 0.14, 0.15, 0.36, 0.45, 0.58, 0.58, 0.82, 0.32, 1.0, 0.04, 0.82,
      0.15, 0.6, 0.45, 0.36, 0.53, 0.15, 0.42, 0.03)]],
    // Two loops, one on the other.
    'two-loops': [[arc(0.3, 0.24, 0.22, 0.23, 80, 80 + 365)], [arc(0.3, 0.73, 0.28, 0.27, 90, 90 - 365)]]
  },
  9: {
    // A loop drawn anticlockwise from the right, then a straight stem.
    straight: [[arc(0.3, 0.25, 0.26, 0.24, 5, 5 + 360), line(0.56, 0.27, 0.54, 1.0)]],
    // The stem's tail curls to the left at the bottom.
    curled: [[arc(0.3, 0.25, 0.26, 0.24, 5, 5 + 360), curve(0.56, 0.27, 0.55, 0.62, 0.48, 0.88, 0.3, 1.0, 0.1, 0.92)]],
    // A stem that bends down and to the left (like a g without the hook).
    bent: [[arc(0.3, 0.25, 0.25, 0.24, 5, 5 + 360), curve(0.55, 0.27, 0.5, 0.66, 0.36, 1.0)]]
  }
};

/** Dense polyline of a stroke (points about 0.01 apart along it). */
function flatten(stroke) {
  const out = [];
  const push = (p) => {
    const last = out[out.length - 1];
    if (!last || Math.hypot(p[0] - last[0], p[1] - last[1]) > 1e-9) out.push(p);
  };
  for (const piece of stroke) {
    if (piece.kind === 'line') {
      for (let i = 0; i < piece.points.length - 1; i++) {
        const [x0, y0] = piece.points[i], [x1, y1] = piece.points[i + 1];
        const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 0.01));
        for (let k = 0; k <= n; k++) push([x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n]);
      }
    } else if (piece.kind === 'arc') {
      const sweep = Math.abs(piece.to - piece.from) * Math.PI / 180;
      const n = Math.max(2, Math.ceil(sweep * Math.max(piece.rx, piece.ry) / 0.01));
      for (let k = 0; k <= n; k++) {
        const a = (piece.from + (piece.to - piece.from) * k / n) * Math.PI / 180;
        push([piece.cx + piece.rx * Math.cos(a), piece.cy - piece.ry * Math.sin(a)]);
      }
    } else {
      const p = piece.points;
      for (let i = 0; i < p.length - 1; i++) {
        const a = p[Math.max(0, i - 1)], b = p[i], c = p[i + 1], d = p[Math.min(p.length - 1, i + 2)];
        const n = Math.max(1, Math.ceil(Math.hypot(c[0] - b[0], c[1] - b[1]) / 0.01));
        for (let k = 0; k <= n; k++) {
          const t = k / n, t2 = t * t, t3 = t2 * t;
          const f = (q) => 0.5 * (2 * b[q] + (c[q] - a[q]) * t + (2 * a[q] - 5 * b[q] + 4 * c[q] - d[q]) * t2 +
            (3 * b[q] - a[q] - 3 * c[q] + d[q]) * t3);
          push([f(0), f(1)]);
        }
      }
    }
  }
  return out;
}

module.exports = { STYLES, flatten, line, arc, curve };
