/* fold.js - the settings on a narrow screen (one job): there the preset, Train and the
 * progress come first and the rest of the form folds into "All settings" (#all-settings,
 * open in the page as written, so wide screens and pages without this module show it all).
 *
 * Exports:
 *   foldOnNarrowScreens()   closes #all-settings when the screen is narrow (at start only:
 *                           what the person opens or closes stays so)
 */
const NARROW = '(max-width: 600px)';

export function foldOnNarrowScreens() {
  const details = document.getElementById('all-settings');
  if (details && window.matchMedia && window.matchMedia(NARROW).matches) details.open = false;
}
