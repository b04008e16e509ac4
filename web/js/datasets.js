/* datasets.js - the one home of what the project knows about its datasets: their ids,
 * names and folders, the four IDX file names, and the classes' names.
 *
 * A classic script for the page (defines self.MnistDatasets) and a CommonJS module
 * for Node (the fetch, embed and dist scripts, the benchmark and the tests). The
 * command-line trainer (src/cli/) repeats the four file names in C; a test checks
 * that its --help lists exactly these.
 *
 *   MnistDatasets.DATASETS['fashion-mnist'].name     'Fashion-MNIST'
 *   MnistDatasets.FILES[0].file                      'train-images-idx3-ubyte.gz'
 *   MnistDatasets.className('fashion-mnist', 9)      'Ankle boot'
 */
(function (root) {
  'use strict';

  var DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

  var DATASETS = {
    'mnist': { id: 'mnist', name: 'MNIST', folder: 'mnist/', classNames: DIGITS, namedClasses: false },
    'fashion-mnist': {
      id: 'fashion-mnist', name: 'Fashion-MNIST', folder: 'fashion-mnist/', namedClasses: true,
      classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker',
        'Bag', 'Ankle boot']
    }
  };

  var IDS = Object.keys(DATASETS);

  // The four files of every dataset, as the original distribution names them (gzipped).
  var FILES = [
    { key: 'trainImages', set: 'train', part: 'images', short: 'train-images', file: 'train-images-idx3-ubyte.gz', what: 'training images' },
    { key: 'trainLabels', set: 'train', part: 'labels', short: 'train-labels', file: 'train-labels-idx1-ubyte.gz', what: 'training labels' },
    { key: 'testImages', set: 'test', part: 'images', short: 't10k-images', file: 't10k-images-idx3-ubyte.gz', what: 'test images' },
    { key: 'testLabels', set: 'test', part: 'labels', short: 't10k-labels', file: 't10k-labels-idx1-ubyte.gz', what: 'test labels' }
  ];

  var FILE_NAMES = FILES.map(function (f) { return f.file; });

  /** The file of a set ('train' | 'test') and part ('images' | 'labels'). */
  function fileOf(set, part) {
    for (var i = 0; i < FILES.length; i++) {
      if (FILES[i].set === set && FILES[i].part === part) return FILES[i];
    }
    throw new Error('no dataset file for ' + set + ' ' + part);
  }

  /** Class k of a dataset in words: the digit for MNIST, the garment's name for Fashion-MNIST. */
  function className(id, k) {
    var d = DATASETS[id] || DATASETS.mnist;
    return d.classNames[k] === undefined ? String(k) : d.classNames[k];
  }

  var api = { DATASETS: DATASETS, IDS: IDS, FILES: FILES, FILE_NAMES: FILE_NAMES, fileOf: fileOf, className: className };
  root.MnistDatasets = api;
  if (typeof module === 'object' && module.exports) module.exports = api;
})(typeof self !== 'undefined' ? self : globalThis);
