// Retract: delete a published thread on its platform from History, one channel at a time, after asking once
// inline (Escape or "Keep it" backs out). The answer stays on the thread's line: retracted, refused and why, or
// the platform's failure (the delivery then stays `retracting` and a second retract finishes it).

import { api, ApiError, deliveryPath, isUnauthorized } from './api.js';
import { el, platformName, plural } from './dom.js';
import { historyThreadNode, redrawHistory, replaceInHistory } from './history.js';
import { refreshNow } from './refresh.js';
import { els, ui } from './state.js';

/**
 * What the retract route would not refuse outright: a thread that went out (or whose retract was cut short) with
 * posts recorded. The server still decides (409 with its reason); this only keeps the button off where it cannot work.
 */
export const mayRetract = (d) => !d.dryRun && (d.state === 'published' || d.state === 'retracting') && Array.isArray(d.posts) && d.posts.length > 0;

const part = (d, testId) => historyThreadNode(d.id)?.querySelector(`[data-testid="${testId}"]`) ?? null;

/** Focus after a redraw: the named control on the thread's line, else its line, else the History heading. */
function focusOn(d, testId) {
  (part(d, testId) ?? historyThreadNode(d.id) ?? els.historyHeading).focus();
}

function setStep(d, step) {
  if (step) ui.retracts.set(d.id, step);
  else ui.retracts.delete(d.id);
  redrawHistory();
}

/** The thread's retract controls: the button, the confirmation, or the progress and outcome of the last retract. */
export function retractControls(d) {
  const step = ui.retracts.get(d.id);
  if (step?.step === 'confirm') return confirmBox(d);
  const outcome = step?.text
    ? el('p', { class: step.kind === 'retracted' ? 'success' : step.kind === 'busy' ? 'hint' : 'error', 'data-testid': 'retract-result', 'data-result': step.kind, tabindex: '-1' }, step.text)
    : null;
  if (!mayRetract(d) || step?.step === 'busy') return outcome;
  const again = d.state === 'retracting';
  const button = el(
    'button',
    { type: 'button', class: 'small danger', 'data-testid': 'retract', 'aria-label': `${again ? 'Finish retract' : 'Retract'} on ${platformName(d.platform)} (${d.channelId})` },
    again ? 'Finish retract…' : 'Retract…',
  );
  button.addEventListener('click', () => {
    setStep(d, { step: 'confirm' });
    focusOn(d, 'retract-keep');
  });
  return [outcome, el('div', { class: 'actions one' }, button)];
}

/** Deleting cannot be undone, so it asks once more, inline: "Keep it" has focus first and Escape means keep. */
function confirmBox(d) {
  const where = platformName(d.platform);
  const yes = el('button', { type: 'button', class: 'danger', 'data-testid': 'retract-confirm' }, `Yes, delete on ${where}`);
  const no = el('button', { type: 'button', 'data-testid': 'retract-keep' }, 'Keep it');
  const keep = () => {
    setStep(d, null);
    focusOn(d, 'retract');
  };
  yes.addEventListener('click', () => void retract(d));
  no.addEventListener('click', keep);
  const box = el(
    'div',
    { class: 'confirm wrap', role: 'group', 'aria-label': 'Confirm retract', 'data-testid': 'retract-confirmation' },
    el('span', {}, `Delete ${d.posts.length === 1 ? 'this post' : `all ${plural(d.posts.length, 'post')} of this thread`} on ${where} (${d.channelId})? Followers will no longer see it; this cannot be undone.`),
    yes,
    no,
  );
  box.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    keep();
  });
  return box;
}

/** What the route answered, in the page's words, and the delivery as it now is (when the answer carried it). */
function outcomeOf(d, err, data) {
  const where = platformName(d.platform);
  if (!err) {
    const done = data.delivery;
    const detail = Array.isArray(done?.history) ? done.history.at(-1)?.detail : undefined;
    return { delivery: done, kind: 'retracted', text: `Retracted on ${where}${detail ? `: ${detail}` : ''}.` };
  }
  const failed = err instanceof ApiError && err.status === 502 ? err.body?.delivery : undefined;
  if (failed) {
    return { delivery: failed, kind: 'failed', text: `${where} did not delete it: ${failed.reason ?? err.message}. It stays retracting; retract again to finish.` };
  }
  if (err instanceof ApiError && err.status === 409) return { kind: 'refused', text: `Not retracted: ${err.message}` };
  return { kind: 'error', text: `Could not retract: ${err.message}` };
}

async function retract(d) {
  setStep(d, { step: 'busy', kind: 'busy', text: `Deleting on ${platformName(d.platform)}…` });
  focusOn(d, 'retract-result');
  let data;
  let error;
  try {
    data = await api('POST', deliveryPath(d.id, 'retract'), {});
  } catch (err) {
    if (isUnauthorized(err)) return;
    error = err;
  }
  const { delivery, kind, text } = outcomeOf(d, error, data);
  if (delivery && typeof delivery.id === 'string') replaceInHistory(delivery);
  setStep(d, { step: 'done', kind, text });
  focusOn(d, 'retract-result');
  await refreshNow();
}
