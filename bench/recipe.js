'use strict';
/**
 * The CNN rows' recipe, read from the core: the `cnn` preset as the core's rules give it
 * (rules.presets.cnn: the net, batch, optimiser, schedule, augmentation, every setting),
 * trained for COMPARE_EPOCHS epochs by every row, so the benchmark follows whatever the
 * preset becomes and no runner holds a copy of it. The preset's own epochs are kept beside
 * (presetEpochs): the native preset row and the page run the preset as a user does.
 *
 * Public: CNN_PRESET, COMPARE_EPOCHS, RECIPE_SEED, cnnRecipe(rules) -> recipe (rules: the core's,
 * its presets and settings; throws naming what is missing), describeRecipe(recipe) -> text.
 */

const CNN_PRESET = 'cnn';
// The yardstick of the CNN rows: PyTorch's time for 2 epochs of the preset's recipe (the
// targets are ratios to it), whatever number of epochs the preset itself trains.
const COMPARE_EPOCHS = 2;
const RECIPE_SEED = 1;
// The settings a recipe must have: the ones every runner reads.
const NEEDED = ['arch', 'init', 'optimizer', 'schedule', 'lr', 'batch', 'epochs', 'beta1', 'beta2', 'eps', 'shift'];

function cnnRecipe(rules) {
  const preset = rules && rules.presets && rules.presets[CNN_PRESET];
  if (!preset) throw new Error(`the core has no '${CNN_PRESET}' preset (rules.presets), which the CNN rows train`);
  const missing = NEEDED.filter((k) => preset[k] === undefined);
  if (missing.length) throw new Error(`the core's '${CNN_PRESET}' preset has no ${missing.join(', ')}`);
  // the preset's settings (the core's table), not its words for the page or the accuracy it watches for
  const settings = Object.fromEntries(rules.settings.filter((s) => s.key in preset).map((s) => [s.key, preset[s.key]]));
  return { ...settings, preset: CNN_PRESET, presetEpochs: preset.epochs, epochs: COMPARE_EPOCHS, iterations: 0, seed: RECIPE_SEED };
}

/** The recipe in a line, for the reports. */
function describeRecipe(r) {
  const optimiser = r.optimizer === 'adam' ? `Adam (beta1 ${r.beta1}, beta2 ${r.beta2}, eps ${r.eps})`
    : `SGD (momentum ${r.momentum})`;
  const schedule = r.schedule === 'onecycle' ? `the one-cycle schedule over the ${r.epochs} epochs (max lr ${r.lr}, PyTorch's `
    + `OneCycleLR defaults otherwise${r.optimizer === 'adam' ? ': beta1 cycled 0.95 -> 0.85 -> 0.95' : ''})` : `lr ${r.lr}, step schedule (decay ${r.lrDecay})`;
  const augment = [r.shift > 0 ? `shifts of up to ${r.shift} pixel${r.shift === 1 ? '' : 's'} (zero fill, drawn anew each time)` : '',
    r.rotate > 0 ? `turns of up to ${r.rotate} degrees` : '', r.scale > 0 ? `scaling by up to ${r.scale}` : ''].filter(Boolean);
  return `the core's \`${r.preset}\` preset: ${r.arch}, batch ${r.batch}, ${optimiser}, ${schedule}, `
    + `${augment.length ? augment.join(', ') : 'no augmentation'}${r.weightDecay ? `, weight decay ${r.weightDecay}` : ''}, `
    + `x/255, ${r.init} init, seed ${r.seed}; ${r.epochs} epochs (the preset itself trains ${r.presetEpochs})`;
}

module.exports = { CNN_PRESET, COMPARE_EPOCHS, RECIPE_SEED, cnnRecipe, describeRecipe };
