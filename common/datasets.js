/* datasets.js - the one home of what the project knows about its datasets: their ids,
 * names and folders, the four IDX file names, and the classes' names.
 *
 * An ES module shared by the page, the Node scripts (fetch, embed, dist), the benchmark
 * and the tests (Node's require() of an ES module). The command-line trainer (src/cli/)
 * repeats the four file names in C; a test checks that its --help lists exactly these.
 *
 *   DATASETS['fashion-mnist'].name     'Fashion-MNIST'
 *   IDS                                ['mnist', 'fashion-mnist']
 *   FILES[0].file                      'train-images-idx3-ubyte.gz' (FILE_NAMES: the four names)
 *   fileOf('test', 'labels')           FILES' entry of that set and part
 *   className('fashion-mnist', 9)      'Ankle boot'
 */

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export const DATASETS = {
  'mnist': { id: 'mnist', name: 'MNIST', folder: 'mnist/', classNames: DIGITS, namedClasses: false },
  'fashion-mnist': {
    id: 'fashion-mnist', name: 'Fashion-MNIST', folder: 'fashion-mnist/', namedClasses: true,
    classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker',
      'Bag', 'Ankle boot'],
  },
};

export const IDS = Object.keys(DATASETS);

// The four files of every dataset, as the original distribution names them (gzipped).
export const FILES = [
  { key: 'trainImages', set: 'train', part: 'images', short: 'train-images', file: 'train-images-idx3-ubyte.gz', what: 'training images' },
  { key: 'trainLabels', set: 'train', part: 'labels', short: 'train-labels', file: 'train-labels-idx1-ubyte.gz', what: 'training labels' },
  { key: 'testImages', set: 'test', part: 'images', short: 't10k-images', file: 't10k-images-idx3-ubyte.gz', what: 'test images' },
  { key: 'testLabels', set: 'test', part: 'labels', short: 't10k-labels', file: 't10k-labels-idx1-ubyte.gz', what: 'test labels' },
];

export const FILE_NAMES = FILES.map((f) => f.file);

/** The file of a set ('train' | 'test') and part ('images' | 'labels'). */
export function fileOf(set, part) {
  const found = FILES.find((f) => f.set === set && f.part === part);
  if (!found) throw new Error(`no dataset file for ${set} ${part}`);
  return found;
}

/** Class k of a dataset in words: the digit for MNIST, the garment's name for Fashion-MNIST. */
export function className(id, k) {
  const d = DATASETS[id] || DATASETS.mnist;
  return d.classNames[k] === undefined ? String(k) : d.classNames[k];
}
