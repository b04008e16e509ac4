/* modules.js - which WebAssembly modules the worker runs (one job: the choice of the
 * SIMD128 pair or the relaxed-SIMD pair, and what the page says about it).
 *
 * The default pair rounds every product and sum as the native build does: the same bits.
 * The relaxed-SIMD pair (`make wasm-relaxed`) computes the kernels' multiply-adds with
 * f32x4.relaxed_madd, fused in one rounding where the CPU has FMA: faster, other bits.
 * It runs only when the address asks for it (?fma=1), the build has it, and this browser
 * validates it (WebAssembly.validate); otherwise the default pair runs and the page says why.
 *
 * Exports:
 *   FMA_PARAM                       'fma', the address's parameter
 *   choose(bundle, asked) -> { bundle, fma: {asked, on, text}, refused: [{name, message}] }
 *       bundle: the assets (wasmBase64, wasmThreadsBase64, wasmRelaxedBase64, ...);
 *       asked: the address's fma value (a string, or undefined); the bundle returned has
 *       the chosen pair as its wasmBase64 and wasmThreadsBase64 (client.js starts it)
 */
import * as Unpack from './unpack.js';

const FMA_PARAM = 'fma';
const MEANS = 'fused multiply-add (relaxed SIMD): faster, and its results differ in the last bits from the native build\'s';

function validates(base64) {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(Unpack.base64ToBytes(base64));
  } catch (e) {
    return false;
  }
}

function choose(bundle, asked) {
  const off = (text) => ({ bundle, fma: { asked: asked === '1', on: false, text }, refused: [] });
  if (asked == null || asked === '0') return off('');
  if (asked !== '1') {
    return { ...off(''), refused: [{ name: FMA_PARAM, message: `"${asked}" is neither 1 (${MEANS}) nor 0` }] };
  }
  const one = bundle && bundle.wasmRelaxedBase64, threads = bundle && bundle.wasmRelaxedThreadsBase64;
  if (typeof one !== 'string' || !one || typeof threads !== 'string' || !threads) {
    return off('fused multiply-add was asked for (?fma=1), but this build has no relaxed-SIMD module (make wasm-relaxed): the default one runs');
  }
  if (!validates(one)) {
    return off('fused multiply-add was asked for (?fma=1), but this browser cannot run relaxed SIMD: the default module runs');
  }
  return {
    bundle: { ...bundle, wasmBase64: one, wasmThreadsBase64: threads },
    fma: { asked: true, on: true, text: `${MEANS} (?fma=1)` },
    refused: [],
  };
}

export { FMA_PARAM, choose };
