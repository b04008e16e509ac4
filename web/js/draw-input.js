/* draw-input.js - the drawing pad's input (one job: from pointer and key events to the
 * pad's actions). A mouse, a finger or a pen draws one stroke per press (a second finger
 * is ignored; fast strokes use the coalesced events between frames). Keyboard, while the
 * pad has focus: arrow keys move a cursor by 1/28 of the pad, 1/7 with Shift; Space or
 * Enter puts the pen down or lifts it (moving with the pen down draws); Escape lifts the
 * pen; Delete or Backspace clears.
 *
 * Exports:
 *   bindInput(canvas, pad) -> unbind()
 *     pad = {begin(point), extend(point), end(), stroking(), clear(), moveCursor(dx, dy),
 *            togglePen(), penDown(), setKeyboardMode(on), setFocus(on, fromKeyboard)}
 *     points are {x, y} in 0..1 of the canvas (a little outside while the pointer is captured)
 */
const KEY_STEP = 1 / 28;
const KEY_STEP_LARGE = 1 / 7;
const KEY_MOVES = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

export function bindInput(canvas, pad) {
  let activePointer = null; // the pointerId drawing the current stroke

  function pointOf(e) {
    const rect = canvas.getBoundingClientRect();
    return {
      x: rect.width ? (e.clientX - rect.left) / rect.width : 0,
      y: rect.height ? (e.clientY - rect.top) / rect.height : 0
    };
  }

  function onPointerDown(e) {
    if (activePointer !== null && activePointer !== e.pointerId && pad.stroking()) return; // a second finger
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    e.preventDefault();
    pad.setKeyboardMode(false);
    pad.begin(pointOf(e));
    activePointer = e.pointerId;
    try { canvas.setPointerCapture(e.pointerId); } catch (err) { /* synthetic or gone */ }
  }

  function onPointerMove(e) {
    if (activePointer === null || e.pointerId !== activePointer) return;
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : null;
    (events && events.length ? events : [e]).forEach((ev) => pad.extend(pointOf(ev)));
  }

  function onPointerUp(e) {
    if (activePointer === null || e.pointerId !== activePointer) return;
    activePointer = null;
    pad.end();
  }

  function onKeyDown(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return; // the browser's shortcuts
    const step = e.shiftKey ? KEY_STEP_LARGE : KEY_STEP;
    const move = KEY_MOVES[e.key];
    if (move) {
      pad.moveCursor(move[0] * step, move[1] * step);
    } else if (e.key === ' ' || e.key === 'Spacebar' || e.key === 'Enter') {
      pad.togglePen();
    } else if (e.key === 'Escape') {
      if (!pad.penDown()) return; // nothing to do: let the page use Escape
      pad.end();
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      pad.clear();
    } else {
      return;
    }
    e.preventDefault();
    pad.setKeyboardMode(true);
  }

  function onFocus() {
    // Like :focus-visible: a click shows no cursor, a Tab does.
    let fromKeyboard;
    try { fromKeyboard = canvas.matches(':focus-visible'); } catch (err) { fromKeyboard = true; }
    pad.setFocus(true, fromKeyboard);
  }

  const listeners = [
    ['pointerdown', onPointerDown], ['pointermove', onPointerMove], ['pointerup', onPointerUp],
    ['pointercancel', onPointerUp], ['lostpointercapture', onPointerUp],
    ['keydown', onKeyDown], ['focus', onFocus], ['blur', () => pad.setFocus(false, false)]
  ];
  listeners.forEach(([type, fn]) => canvas.addEventListener(type, fn));
  return () => listeners.forEach(([type, fn]) => canvas.removeEventListener(type, fn));
}
