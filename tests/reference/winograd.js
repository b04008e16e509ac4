'use strict';
/**
 * A float32 Winograd F(2x2,3x3) convolution (Lavin & Gray, 2016), every
 * operation rounded to float32: another way a fast kernel may compute a 3x3
 * convolution, with other sums and other roundings than a direct one. The
 * parity test checks that it stays within the bound tests/reference/cnn.js
 * allows a convolution, so that the bound does not assume one way of summing.
 *
 * Per output channel o and input channel c, with the filter g (3x3) and a 4x4
 * input tile d (zeros outside the image, after padding):
 *   U = G g G^T,  V = B^T d B,  M = sum over c of U .* V,  Y = A^T M A + bias
 * gives the 2x2 outputs whose top-left is the tile's, the tiles 2 apart.
 */

const f = Math.fround;
const G = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]];
const BT = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]];
const AT = [[1, 1, 1, 0], [0, 1, -1, -1]];

/** A Q^T in float32: out[i][j] = sum over k of A[i][k] Q[j][k], summed in k order. */
function timesTransposed(A, Q) {
  return A.map((row) => Q.map((q) => row.reduce((s, a, k) => f(s + f(a * q[k])), 0)));
}

/** L X R^T in float32. */
function sandwich(L, X, R) {
  const Xt = X[0].map((_, j) => X.map((row) => row[j]));
  return timesTransposed(timesTransposed(L, Xt), R);
}

/**
 * x: the layer's input values (B, H, W, C); params, ly as in cnn.js (ly.K must
 * be 3). Returns the pre-activation outputs (B, OH, OW, O) as float32 values.
 */
function winogradConv(x, params, ly, B) {
  const { H, W, C } = ly.inShape, { H: OH, W: OW } = ly.outShape, { O, K, pad } = ly;
  if (K !== 3) throw new Error('F(2x2,3x3) needs a 3x3 kernel');
  const U = [];
  for (let o = 0; o < O; o++) {
    U.push([]);
    for (let c = 0; c < C; c++) {
      const g = [0, 1, 2].map((ky) => [0, 1, 2].map((kx) => params[ly.wOffset + ((o * 3 + ky) * 3 + kx) * C + c]));
      U[o].push(sandwich(G, g, G));
    }
  }
  const out = new Float64Array(B * OH * OW * O);
  for (let b = 0; b < B; b++) {
    for (let ty = 0; ty < OH; ty += 2) {
      for (let tx = 0; tx < OW; tx += 2) {
        const V = [];
        for (let c = 0; c < C; c++) {
          const d = [0, 1, 2, 3].map((dy) => [0, 1, 2, 3].map((dx) => {
            const iy = ty + dy - pad, ix = tx + dx - pad;
            return iy >= 0 && iy < H && ix >= 0 && ix < W ? f(x[((b * H + iy) * W + ix) * C + c]) : 0;
          }));
          V.push(sandwich(BT, d, BT));
        }
        for (let o = 0; o < O; o++) {
          const M = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => {
            let s = 0;
            for (let c = 0; c < C; c++) s = f(s + f(U[o][c][i][j] * V[c][i][j]));
            return s;
          }));
          const Y = sandwich(AT, M, AT);
          const bias = params[ly.bOffset + o];
          for (let dy = 0; dy < 2; dy++) {
            for (let dx = 0; dx < 2; dx++) {
              if (ty + dy < OH && tx + dx < OW) out[((b * OH + ty + dy) * OW + tx + dx) * O + o] = f(Y[dy][dx] + bias);
            }
          }
        }
      }
    }
  }
  return out;
}

module.exports = { winogradConv };
