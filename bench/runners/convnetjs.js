'use strict';
/**
 * ConvNetJS (npm convnetjs 0.3.0, plain JavaScript, one thread):
 *   input 1x1x784 -> fc(H, relu) ... -> softmax(10)   (softmax layer = cross-entropy loss)
 * trained by its own convnetjs.Trainer with method 'sgd', learning_rate lr,
 * momentum 0, batch_size B, no L1/L2 decay. The Trainer takes one sample per
 * train() call, accumulates gradients and applies the mean gradient of every
 * B samples, so this is the same mini-batch SGD as the others. Weights keep
 * ConvNetJS's own initialisation (Gaussian, std sqrt(1/fan_in); ReLU layers
 * get bias 0.1), as a ConvNetJS user would have them.
 *
 * One input Vol is reused and refilled with the sample's pixels /255 (timed).
 *
 * With --recipe (the CNN rows): conv (ConvLayer, stride 1, its pad), pool
 * (PoolLayer, sx = stride = P: max-pooling), fc (FullyConnLayer) with ReLU,
 * and the last dense layer as softmax (which is cross-entropy in ConvNetJS),
 * on a 28x28x1 input Vol: ConvNetJS expresses the net exactly. Its Trainer
 * does not express the recipe: convnetjs 0.3.0 (npm) has the methods sgd
 * (with momentum), adagrad, windowgrad and adadelta, no Adam and no
 * learning-rate schedule. So the runner uses ConvNetJS for forward and
 * backward (per sample, gradients summed over the batch, as its Trainer
 * does) and applies the recipe's Adam and one-cycle update itself to
 * getParamsAndGrads() (common.js adamUpdate, PyTorch's formulas), with
 * He-uniform weights and zero biases set over ConvNetJS's own initialisation.
 */

const { parseArgs, loadMnist, runProtocol, runCnnProtocol, adamUpdate, rng, main, PIXELS } = require('./common');

main(async () => {
  const args = parseArgs();
  const convnetjs = require('convnetjs');
  const data = loadMnist(args.data);
  if (args.recipe) return cnn(args, convnetjs, data);
  const input = new convnetjs.Vol(1, 1, PIXELS, 0.0);

  const setInput = (images, index) => {
    const w = input.w;
    const base = index * PIXELS;
    for (let k = 0; k < PIXELS; k++) w[k] = images[base + k] / 255;
  };

  const impl = {
    create(seed) {
      // ConvNetJS draws its initial weights from Math.random (no seed API).
      void seed;
      const layers = [{ type: 'input', out_sx: 1, out_sy: 1, out_depth: PIXELS }];
      for (const h of args.sizes.slice(1, -1)) layers.push({ type: 'fc', num_neurons: h, activation: 'relu' });
      layers.push({ type: 'softmax', num_classes: 10 });
      const net = new convnetjs.Net();
      net.makeLayers(layers);
      const trainer = new convnetjs.Trainer(net, {
        method: 'sgd', learning_rate: args.lr, momentum: 0, batch_size: args.batch, l1_decay: 0, l2_decay: 0,
      });
      return { net, trainer };
    },
    trainBatch(state, order, first, m) {
      if (m !== args.batch) state.trainer.batch_size = m; // a short last batch: update after m samples
      for (let i = 0; i < m; i++) {
        const index = order[first + i];
        setInput(data.train.images, index);
        state.trainer.train(input, data.train.labels[index]);
      }
      state.trainer.batch_size = args.batch;
    },
    accuracy(state) {
      let correct = 0;
      for (let i = 0; i < data.test.count; i++) {
        setInput(data.test.images, i);
        state.net.forward(input, false);
        correct += state.net.getPrediction() === data.test.labels[i];
      }
      return correct / data.test.count;
    },
    info() {
      return { threads: 1 };
    },
  };
  return runProtocol(args, data, impl);
});

/** The CNN rows: ConvNetJS's layers, the recipe's Adam + one-cycle (see the top). */
function cnn(args, convnetjs, data) {
  const input = new convnetjs.Vol(28, 28, 1, 0.0); // w[(y * 28 + x)]: the IDX pixel order
  const setInput = (images, index) => {
    const w = input.w, base = index * PIXELS;
    for (let k = 0; k < PIXELS; k++) w[k] = images[base + k] / 255;
  };
  const impl = {
    create(seed) {
      const defs = [{ type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 }];
      const layers = args.layers;
      layers.forEach((layer, i) => {
        if (layer.type === 'conv') {
          defs.push({ type: 'conv', sx: layer.k, filters: layer.filters, stride: 1, pad: layer.pad, activation: 'relu' });
        } else if (layer.type === 'pool') {
          defs.push({ type: 'pool', sx: layer.p, stride: layer.p });
        } else if (i + 1 < layers.length) {
          defs.push({ type: 'fc', num_neurons: layer.units, activation: 'relu' });
        } else {
          defs.push({ type: 'softmax', num_classes: layer.units }); // adds the last fc layer itself
        }
      });
      const net = new convnetjs.Net();
      net.makeLayers(defs);
      // He-uniform weights (fan-in: the length of a filter / a neuron's weights), zero biases.
      const random = rng(seed * 104729 + 3);
      for (const layer of net.layers) {
        if (!layer.filters) continue;
        const limit = Math.sqrt(6 / layer.filters[0].w.length);
        for (const f of layer.filters) for (let j = 0; j < f.w.length; j++) f.w[j] = (2 * random() - 1) * limit;
        layer.biases.w.fill(0);
      }
      const groups = net.getParamsAndGrads();
      return {
        net, groups,
        m: groups.map((g) => new Float64Array(g.params.length)), v: groups.map((g) => new Float64Array(g.params.length)),
      };
    },
    trainStep(state, order, first, m, hyper) {
      for (let i = 0; i < m; i++) {
        const index = order[first + i];
        setInput(data.train.images, index);
        state.net.forward(input, true);
        state.net.backward(data.train.labels[index]);
      }
      state.groups.forEach((g, k) => {
        adamUpdate(hyper, g.params, g.grads, 1 / m, state.m[k], state.v[k]);
        g.grads.fill(0);
      });
    },
    correct(state, first, count) {
      let correct = 0;
      for (let i = first; i < first + count; i++) {
        setInput(data.test.images, i);
        state.net.forward(input, false);
        correct += state.net.getPrediction() === data.test.labels[i];
      }
      return correct;
    },
    info() {
      return {
        threads: 1,
        recipe_note: 'ConvNetJS layers (forward, backward); Adam + one-cycle applied by the runner (convnetjs 0.3.0 '
          + 'has sgd/adagrad/windowgrad/adadelta only, no Adam, no schedule); He-uniform set by the runner',
      };
    },
  };
  return runCnnProtocol(args, data, impl);
}
