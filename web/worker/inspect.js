/* inspect.js - the worker's look-inside requests: a prediction with every layer's
 * activations, the mistakes and a confusion cell's images, the first weight
 * layer's weights or filters (PROTOCOL.md: predict, mistakes, cell, weights). They read the network
 * as it stands and never change the training session; `post` stamps each reply
 * with the network's run id.
 *
 *   Object.assign(requests, MnistInspect(engine, post, requireNetwork));
 */
'use strict';

(function (root) {
  const GALLERY_LIMIT = { initial: 60, max: 1000 }; // images in a mistakes or cell reply

  function MnistInspect(engine, post, requireNetwork) {
    const PIXELS = engine.rules.pixels; // the core's
    function checkClass(name, value) {
      if (!Number.isInteger(value) || value < 0 || value > 9) throw new Error(`${name} must be a class from 0 to 9, not ${value}`);
      return value;
    }

    /** The test images whose (label, predicted) pass `keep`, classified by the network as it
     *  stands: the most confident first (order 'least': the least), at most `limit` of them
     *  with their pixels. */
    function gallery(keep, order, limit) {
      requireNetwork();
      const { predicted, confidence } = engine.classify('test');
      const labels = engine.labels('test');
      const chosen = [];
      for (let i = 0; i < predicted.length; i++) {
        if (keep(labels[i], predicted[i])) chosen.push({ index: i, label: labels[i], predicted: predicted[i], confidence: confidence[i] });
      }
      const sign = order === 'least' ? -1 : 1;
      chosen.sort((a, b) => sign * (b.confidence - a.confidence) || a.index - b.index);
      const wanted = limit == null ? GALLERY_LIMIT.initial : Number(limit) || 0;
      const items = chosen.slice(0, Math.max(0, Math.min(wanted, GALLERY_LIMIT.max)));
      const images = new Uint8Array(items.length * PIXELS);
      items.forEach((w, k) => images.set(engine.image('test', w.index).pixels, k * PIXELS));
      return { order: sign < 0 ? 'least' : 'most', total: chosen.length, items, images };
    }

    return {
      predict(m) {
        requireNetwork();
        const r = m.pixels ? engine.predict(m.pixels) : engine.predictIndex('test', m.index);
        post({
          type: 'prediction', id: m.id, probabilities: r.probabilities, predicted: r.predicted,
          label: r.label === undefined ? null : r.label, activations: r.activations, layers: r.layers,
          image: m.pixels ? null : r.pixels,
        });
      },
      mistakes(m) {
        const g = gallery((label, predicted) => label !== predicted, m.order, m.limit);
        post({ type: 'mistakes', order: g.order, total: g.total, items: g.items, images: g.images }, [g.images.buffer]);
      },
      cell(m) {
        const label = checkClass('label', m.label);
        const predicted = checkClass('predicted', m.predicted);
        const g = gallery((l, p) => l === label && p === predicted, m.order, m.limit);
        post({ type: 'cell', label, predicted, order: g.order, total: g.total, items: g.items, images: g.images }, [g.images.buffer]);
      },
      weights(m) {
        requireNetwork();
        const w = engine.firstLayerWeights(m.units || 64);
        post({ type: 'weights', kind: w.kind, units: w.units, h: w.h, w: w.w, values: w.values }, [w.values.buffer]);
      },
    };
  }

  root.MnistInspect = MnistInspect;
})(typeof self !== 'undefined' ? self : globalThis);
