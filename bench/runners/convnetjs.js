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
 */

const { parseArgs, loadMnist, runProtocol, main, PIXELS } = require('./common');

main(async () => {
  const args = parseArgs();
  const convnetjs = require('convnetjs');
  const data = loadMnist(args.data);
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
