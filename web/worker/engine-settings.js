/* engine-settings.js - the settings across the WebAssembly boundary: a fresh network from a
 * config (the module's init) and a change of the hyperparameters during a run (its
 * set_hyper), each checked by the core, which names the setting at fault. The one place
 * that knows how settings are passed to the module.
 *
 *   settingKeys(rules)                 { hyperKeys: what a run can change (the core's
 *                                        rules.hyper), configKeys: arch, init, seed and those }
 *   configure(engine, config)          builds the network; -> the config as applied (configKeys)
 *   changeHyper(engine, hyper, partial) -> every hyperparameter as now in force
 *   defaultHyper(engine)               the core's default preset's hyperparameters
 *   archText(arch)                     '784-128-10' from a text or a list of widths
 * (engine: a MnistEngine, engine.js) */

import { failure } from './engine-wasm.js';

// The augmentations added after shift: a caller that does not name them leaves them off.
const AUGMENT_OFF = { rotate: 0, scale: 0 };
const HYPER_NAMES = ['optimizer', 'schedule']; // the hyperparameters that are names, not numbers

const pick = (object, keys) => Object.fromEntries(keys.map((k) => [k, object[k]]));

export function settingKeys(rules) {
  const hyperKeys = rules.hyper; // in the order the module's init and set_hyper take them (the core's list)
  return { hyperKeys, configKeys: ['arch', 'init', 'seed', ...hyperKeys] };
}

/* WebAssembly would turn a string, a boolean or a missing value silently into a
 * number; the core checks the ranges of real numbers (and which names it knows). */
function requireNumbers(object, keys) {
  for (const key of keys) {
    const value = object[key], name = HYPER_NAMES.includes(key);
    if (value === undefined) throw failure(`${key} is missing`, key);
    if (typeof value !== (name ? 'string' : 'number')) {
      throw failure(`${key} must be a ${name ? 'name' : 'number'}, not ${JSON.stringify(value)}`, key);
    }
  }
}

/** The architecture as the core's text: '784-c16k3-p2-64-10' as it is, or a list
 *  of widths [784, 128, 10] joined ('784-128-10'); the core checks the rest. */
export function archText(arch) {
  if (typeof arch === 'string') return arch;
  if (Array.isArray(arch) && arch.every((w) => Number.isInteger(w))) return arch.join('-');
  throw failure("architecture must be a text like '784-128-10' or '784-c16k3-p2-64-10', or a list of whole numbers like [784, 128, 10]", 'arch');
}

/** A fresh network from a config (keys: configKeys), checked by the core; returns the config
 *  as applied, and sets engine.hyper. */
export function configure(engine, config) {
  const { hyperKeys, configKeys } = settingKeys(engine.rules);
  config = { ...AUGMENT_OFF, ...config };
  const arch = archText(config.arch);
  if (typeof config.init !== 'string') throw failure(`init must be 'he' or 'seed', not ${JSON.stringify(config.init)}`, 'init');
  requireNumbers(config, ['seed', ...hyperKeys]);
  engine.check(engine.call(engine.x.init, [arch, config.init, config.seed, ...hyperKeys.map((k) => config[k])]));
  engine.hyper = pick(config, hyperKeys);
  return pick(config, configKeys);
}

/** Changes some of the hyperparameters (hyperKeys: any other key is refused, naming it);
 *  returns all of them as now in force, and sets engine.hyper. */
export function changeHyper(engine, partial) {
  const { hyperKeys: keys, configKeys } = settingKeys(engine.rules);
  const fixed = Object.keys(partial).find((k) => !keys.includes(k));
  if (fixed !== undefined) {
    throw failure(configKeys.includes(fixed) ? `${fixed} cannot change during a run: configure a new network`
      : `unknown setting '${fixed}' (a run can change ${keys.join(', ')})`, fixed);
  }
  const next = { ...(engine.hyper || defaultHyper(engine)), ...partial };
  requireNumbers(next, keys);
  engine.check(engine.call(engine.x.set_hyper, keys.map((k) => next[k])));
  engine.hyper = next;
  return { ...next };
}

/** A loaded model's hyperparameters when no network came before: the core's default preset's. */
export function defaultHyper(engine) {
  return pick(engine.rules.presets.default, settingKeys(engine.rules).hyperKeys);
}
