/* store.js - the run's state (one job: what the page knows about the network and its
 * training, in one place; TodoMVC's store). Controllers change it with set(); views
 * that follow it subscribe.
 *
 * The fields:
 *   phase        'loading' | 'ready' | 'training' | 'paused' | 'done' | 'error'
 *   recoverable  in 'error': Train and Reset still work (a divergence, a failed run)
 *   busy         waiting for the worker to build or load a network: the buttons wait
 *   loadingData  new data is being read and checked: nothing new starts (a run in
 *                progress goes on, and can be paused, until the data is taken)
 *   pausing, stepping   a pause or a one-batch step was asked for and not answered yet
 *   dataset      the dataset id of the loaded data (class names follow it)
 *   trainCount   its training-set size (MNIST's until data arrives; "full" batch means it)
 *   testCount, dataName   its test-set size and its name ('your files' for picked files)
 *   dataReady    the worker holds the training and test sets
 *   hasNet       the worker holds a network for them
 *   fresh        that network has not trained yet
 *   applied      configKey() of the settings it was built with ('' after a model file)
 *   config       those settings
 *   loadedArch   the architecture text of a network loaded from a file or the browser, until a new one
 *   last         the latest `progress` message
 *   rules        the core's rules (the worker's `ready`): its settings table, presets, limits
 *   runId        the id of the run training now (runs.js), null between runs
 *
 * Exports:
 *   get()                 the state (read it, change it only with set)
 *   set(patch)            merges; subscribers hear (state, changedKeys)
 *   subscribe(fn)
 *   className(k), namedClasses()   class k of the loaded dataset in words; whether it names them
 *   configKey(config)     a string that is equal for equal configs
 */
import * as Datasets from '../../common/datasets.js';

var state = {
  phase: 'loading', recoverable: false, busy: false, loadingData: false, pausing: false, stepping: false,
  dataset: 'mnist', trainCount: 60000, testCount: 0, dataName: 'MNIST', dataReady: false, hasNet: false, fresh: false, applied: '', config: null,
  loadedArch: null, last: null, rules: null, runId: null
};
var subscribers = [];

function set(patch) {
  var changed = Object.keys(patch).filter(function (k) { return state[k] !== patch[k]; });
  changed.forEach(function (k) { state[k] = patch[k]; });
  if (changed.length) subscribers.forEach(function (fn) { fn(state, changed); });
}

/** Every setting of the config, by key (whatever keys the core's table has). */
function configKey(c) {
  if (!c) return '';
  return JSON.stringify(Object.keys(c).sort().map((k) => [k, c[k]]));
}

export function get() { return state; }
export function subscribe(fn) { subscribers.push(fn); }
export function className(k) { return Datasets.className(state.dataset, k); }
export function namedClasses() { return !!(Datasets.DATASETS[state.dataset] || {}).namedClasses; }
export { set, configKey };
