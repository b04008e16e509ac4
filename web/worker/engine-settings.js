/* engine-settings.js - the settings across the WebAssembly boundary, by name: the module
 * stages a configuration one setting at a time (config_begin, config_number, config_text),
 * then builds a fresh network from it (config_create) or applies it to the running one
 * (config_apply). The keys, their kinds and which of them a run can change are the core's
 * table (rules.settings); the core checks every value and names the setting at fault. The
 * one place that knows how settings are passed to the module.
 *
 *   settingKeys(rules)                 { settings: Map key -> the table's row, hyperKeys: what a
 *                                        run can change (rules.hyper), presetWords: a preset's
 *                                        keys that are no setting }
 *   configure(engine, config)          builds the network; -> its configuration as the core has it
 *   changeHyper(engine, partial)       -> every hyperparameter as now in force
 *   netConfig(engine)                  the network's configuration (every setting), or null
 *   archText(arch)                     '784-128-10' from a text or a list of widths
 * (engine: a MnistEngine, engine.js) */

import { failure } from './engine-wasm.js';

const pick = (object, keys) => Object.fromEntries(keys.map((k) => [k, object[k]]));

export function settingKeys(rules) {
  const settings = new Map(rules.settings.map((s) => [s.key, s]));
  // what a preset of the rules holds besides its settings (its description, what to expect):
  // a preset as it stands is a config, and these are passed over
  const presetWords = Object.keys(Object.values(rules.presets)[0] || {}).filter((k) => !settings.has(k));
  return { settings, hyperKeys: rules.hyper, presetWords };
}

/** The architecture as the core's text: '784-c16k3-p2-64-10' as it is, or a list
 *  of widths [784, 128, 10] joined ('784-128-10'); the core checks the rest. */
export function archText(arch) {
  if (typeof arch === 'string') return arch;
  if (Array.isArray(arch) && arch.every((w) => Number.isInteger(w))) return arch.join('-');
  throw failure("architecture must be a text like '784-128-10' or '784-c16k3-p2-64-10', or a list of whole numbers like [784, 128, 10]", 'arch');
}

/** Stages one setting in the module: a number, or a text for a choice or an architecture.
 *  WebAssembly would turn a string, a boolean or a missing value silently into a number, so
 *  the kind is checked here; the core checks the value (and names an unknown key). */
function stageSetting(engine, key, value) {
  const setting = engine.settings.get(key);
  if (value === undefined) throw failure(`${key} is missing`, key);
  if (setting && setting.kind === 'arch') value = archText(value);
  const text = setting ? setting.kind === 'choice' || setting.kind === 'arch' : typeof value === 'string';
  if (typeof value !== (text ? 'string' : 'number')) {
    throw failure(`${key} must be a ${text ? 'name' : 'number'}, not ${JSON.stringify(value)}`, key);
  }
  if (!text) return engine.check(engine.call(engine.x.config_number, [key, value]));
  const encoded = new TextEncoder().encode(value), max = engine.rules.maxText;
  // (refused before any copy: the module's memory never shrinks; the core refuses a NUL in it)
  if (encoded.length > max) throw failure(`${key}: a text of ${encoded.length} bytes is too long (at most ${max})`, key);
  const ptr = engine.copyIn(encoded);
  try {
    return engine.check(engine.call(engine.x.config_text, [key, ptr, encoded.length]));
  } finally {
    engine.x.mem_free(ptr);
  }
}

/** The network's configuration as the core has it (every setting; a loaded model's: how it
 *  was trained), or null when there is none. */
export function netConfig(engine) {
  const text = engine.string(engine.x.config_json());
  return text ? JSON.parse(text) : null;
}

/** A fresh network from a config (keys: the table's; one left out keeps the default preset's
 *  value; any other key is refused by the core, naming it, but a preset's own words, so that
 *  a preset of the rules is a config as it stands), checked by the core; returns its
 *  configuration as the core has it, and sets engine.hyper. */
export function configure(engine, config) {
  engine.check(engine.call(engine.x.config_begin, ['default']));
  for (const [key, value] of Object.entries(config)) {
    if (!engine.presetWords.includes(key)) stageSetting(engine, key, value);
  }
  engine.check(engine.x.config_create());
  const applied = netConfig(engine);
  engine.hyper = pick(applied, engine.hyperKeys);
  return applied;
}

/** Changes some of the hyperparameters (hyperKeys: any other key is refused by the core,
 *  naming it); returns all of them as now in force, and sets engine.hyper. */
export function changeHyper(engine, partial) {
  engine.check(engine.call(engine.x.config_begin, ['']));
  for (const [key, value] of Object.entries(partial)) stageSetting(engine, key, value);
  engine.check(engine.x.config_apply());
  engine.hyper = pick(netConfig(engine), engine.hyperKeys);
  return { ...engine.hyper };
}

/** After a model is loaded: its hyperparameters (its file's configuration, or for an earlier
 *  format the default preset's values, as the core fills them). */
export function adoptLoaded(engine) {
  const config = netConfig(engine);
  engine.hyper = pick(config, engine.hyperKeys);
  return config;
}
