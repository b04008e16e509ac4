/* inspect.js - the worker's look-inside requests: a prediction with every layer's
 * activations, the mistakes and a confusion cell's images, the first weight
 * layer's weights or filters (PROTOCOL.md: predict, mistakes, cell, weights). They read the network
 * as it stands and never change the training session; reply(m, message) answers request m
 * (with its `req`, stamped with the network's run id). The session lends what they need of
 * it: the checks of its state, and classifyTest(m, done), a classification of the whole
 * test set run in slices as one of its jobs.
 *
 *   const handlers = inspectRequests(engine, reply, { requireNetwork, requireSet, classifyTest });
 */

const GALLERY_DEFAULT = 60; // images in a mistakes or cell reply unless `limit` says (common/protocol.js: at most 1000)
const UNITS_DEFAULT = 64;   // units or filters in a weights reply unless `units` says

export function inspectRequests(engine, reply, { requireNetwork, requireSet, classifyTest }) {
  const PIXELS = engine.rules.pixels; // the core's

  /** The answer to request m about the test images whose (label, predicted) pass `keep`,
   *  once the network as it stands has classified them all (a job): done(gallery) gets the
   *  most confident first (order 'least': the least), at most `limit` of them with their pixels. */
  function gallery(m, keep, done) {
    requireNetwork();
    requireSet('test');
    classifyTest(m, (classified) => done(select(classified, keep, m.order, m.limit)));
  }

  function select({ predicted, confidence }, keep, order, limit) {
    const labels = engine.labels('test');
    const chosen = [];
    for (let i = 0; i < predicted.length; i++) {
      if (keep(labels[i], predicted[i])) chosen.push({ index: i, label: labels[i], predicted: predicted[i], confidence: confidence[i] });
    }
    const sign = order === 'least' ? -1 : 1;
    chosen.sort((a, b) => sign * (b.confidence - a.confidence) || a.index - b.index);
    const items = chosen.slice(0, limit === undefined ? GALLERY_DEFAULT : limit);
    const images = new Uint8Array(items.length * PIXELS);
    items.forEach((w, k) => images.set(engine.image('test', w.index).pixels, k * PIXELS));
    return { order: sign < 0 ? 'least' : 'most', total: chosen.length, items, images };
  }

  return {
    predict(m) {
      requireNetwork();
      if (m.index !== undefined) {
        requireSet('test');
        const n = engine.count('test');
        if (m.index >= n) throw Object.assign(new Error(`index ${m.index} is outside the test set (0..${n - 1})`), { field: 'index' });
      }
      const r = m.pixels ? engine.predict(m.pixels) : engine.predictIndex('test', m.index);
      reply(m, {
        type: 'prediction', id: m.id, probabilities: r.probabilities, predicted: r.predicted,
        label: r.label === undefined ? null : r.label, activations: r.activations, layers: r.layers,
        image: m.pixels ? null : r.pixels,
      });
    },
    mistakes(m) {
      gallery(m, (label, predicted) => label !== predicted, (g) => {
        reply(m, { type: 'mistakes', order: g.order, total: g.total, items: g.items, images: g.images }, [g.images.buffer]);
      });
    },
    cell(m) {
      const { label, predicted } = m; // (classes: common/protocol.js checked them)
      gallery(m, (l, p) => l === label && p === predicted, (g) => {
        reply(m, { type: 'cell', label, predicted, order: g.order, total: g.total, items: g.items, images: g.images }, [g.images.buffer]);
      });
    },
    weights(m) {
      requireNetwork();
      const w = engine.firstLayerWeights(m.units || UNITS_DEFAULT);
      reply(m, { type: 'weights', kind: w.kind, units: w.units, h: w.h, w: w.w, values: w.values }, [w.values.buffer]);
    },
  };
}
