// Review: approve, hold, cancel and edit a queued item, on all its channels by default or on one explicitly,
// with focus kept where the editor works and Escape closing the edit form.

import { api, deliveryPath, isUnauthorized } from './api.js';
import { el, normalizeLinkInput, safeHttpUrl, setMessage } from './dom.js';
import { livePreview } from './preview.js';
import { allowing, queueRowNode, redrawQueue, replaceQueued } from './queue.js';
import { refreshNow } from './refresh.js';
import { els, ui } from './state.js';
import { browserZone, isoToLocalInput, isPast, localInputToIso } from './time.js';

/** A button press on a row (`one` unset: all channels) or on one channel's thread (`one`: that delivery only). */
export function onAction(group, action, one) {
  ui.rowErrors.delete(group.key);
  if (action === 'edit') {
    ui.editing.add(group.key);
    ui.confirming.delete(group.key);
    redrawQueue();
    queueRowNode(group.key)?.querySelector('[data-testid="edit-text"]')?.focus();
    return;
  }
  if (action === 'cancel') {
    ui.confirming.set(group.key, { one: one ?? null });
    redrawQueue();
    queueRowNode(group.key)?.querySelector('[data-testid="cancel-keep"]')?.focus();
    return;
  }
  void transition(group, action, one);
}

/**
 * Where focus goes after an action redrew the row: its first button when the row is still there, else the
 * next row's (or the one before), else the Queue heading; never lost to <body>.
 */
function refocus(key, index) {
  const row = queueRowNode(key);
  const target =
    row?.querySelector('.actions button:not([disabled])') ??
    els.queue.children[index]?.querySelector('.actions button') ??
    els.queue.children[index - 1]?.querySelector('.actions button') ??
    els.queueHeading;
  target.focus();
}

/** approve / hold / cancel: POST to the first delivery that allows it (its item's others follow unless `one`). */
async function transition(group, action, one) {
  const target = one ?? allowing(group, action)[0];
  if (!target) return;
  const index = ui.queue.findIndex((g) => g.key === group.key);
  ui.busy.add(group.key);
  redrawQueue();
  try {
    const data = await api('POST', deliveryPath(target.id, action, one ? 'channel' : 'item'), {});
    replaceQueued(data.deliveries);
  } catch (err) {
    if (isUnauthorized(err)) return;
    ui.rowErrors.set(group.key, `Could not ${action}: ${err.message}`);
  } finally {
    ui.busy.delete(group.key);
  }
  redrawQueue();
  refocus(group.key, index);
  await refreshNow();
  refocus(group.key, index);
}

/** Cancelling cannot be undone, so it asks once more, inline (a confirm() dialog would block the page). */
export function cancelConfirm(group, { one }) {
  const yes = el('button', { type: 'button', class: 'danger', 'data-testid': 'cancel-confirm' }, 'Yes, cancel it');
  const no = el('button', { type: 'button', 'data-testid': 'cancel-keep' }, 'Keep it');
  yes.addEventListener('click', () => {
    ui.confirming.delete(group.key);
    void transition(group, 'cancel', one ?? undefined);
  });
  no.addEventListener('click', () => {
    ui.confirming.delete(group.key);
    redrawQueue();
    queueRowNode(group.key)?.querySelector('[data-testid="cancel"]')?.focus();
  });
  const what = one ? `on ${one.channelId} only` : `on ${allowing(group, 'cancel').length === 1 ? 'its channel' : `all ${allowing(group, 'cancel').length} channels`}`;
  return el('div', { class: 'confirm', role: 'group', 'aria-label': 'Confirm cancellation' }, el('span', {}, `Cancel it ${what}? It will not be published there.`), yes, no);
}

/** Inline edit of text, link and publish time with the same live preview as Compose; only changed fields are sent. */
export function editForm(group) {
  const editable = allowing(group, 'edit');
  const d = editable[0] ?? group.deliveries[0];
  const initial = { text: d.text ?? '', url: d.url ?? '', at: isoToLocalInput(d.notBefore) };
  const text = el('textarea', { rows: 5, 'data-testid': 'edit-text' });
  text.value = initial.text;
  const url = el('input', { type: 'url', 'data-testid': 'edit-url', spellcheck: 'false' });
  url.value = initial.url;
  const at = el('input', { type: 'datetime-local', 'data-testid': 'edit-at' });
  at.value = initial.at;
  const scope = el(
    'select',
    { 'data-testid': 'edit-scope' },
    el('option', { value: '' }, editable.length > 1 ? `All ${editable.length} channels` : `Its channel (${d.channelId})`),
    editable.length > 1 ? editable.map((one) => el('option', { value: one.id }, `Only ${one.channelId}`)) : null,
  );
  const error = el('p', { class: 'error', 'data-testid': 'edit-error', role: 'alert', hidden: true });
  const save = el('button', { type: 'submit', class: 'primary', 'data-testid': 'edit-save' }, 'Save changes');
  const discard = el('button', { type: 'button', 'data-testid': 'edit-discard' }, 'Discard');
  const previewStatus = el('p', { class: 'hint', role: 'status' });
  const previewError = el('p', { class: 'error', hidden: true });
  const banner = el('p', { class: 'banner warning', 'data-testid': 'edit-dropped', role: 'alert', hidden: true });
  const previewList = el('div', { class: 'preview-list', 'data-testid': 'edit-preview' });
  const form = el(
    'form',
    { class: 'edit-form', 'data-testid': 'edit-form', 'aria-label': 'Edit announcement', novalidate: true },
    el('div', { class: 'edit-fields' },
      el('label', {}, 'Text', text),
      el('label', {}, 'Link (empty for none)', url),
      el('label', {}, `Publish at (${browserZone()}, empty for as soon as possible)`, at),
      el('label', {}, 'Apply to', scope),
      el('div', { class: 'form-row' }, save, discard),
      error,
    ),
    el('section', { class: 'edit-preview', 'aria-label': 'Preview of the edit' }, banner, previewStatus, previewError, previewList),
  );
  const fields = { text, url, at };
  const chosen = () => editable.find((one) => one.id === scope.value);

  const preview = livePreview({
    container: previewList,
    status: previewStatus,
    error: previewError,
    banner,
    read: () => {
      if (!text.value.trim()) return { idle: 'Type the text to see it as followers will.' };
      const body = { text: text.value, channels: chosen() ? [chosen().channelId] : editable.map((one) => one.channelId) };
      const link = normalizeLinkInput(url.value);
      if (link && safeHttpUrl(link)) body.url = link;
      return { body, note: link && !safeHttpUrl(link) ? `The link "${link}" is not an http(s) address; the preview leaves it out.` : undefined };
    },
  });
  const close = () => {
    preview.cancel();
    ui.editing.delete(group.key);
    redrawQueue();
    queueRowNode(group.key)?.querySelector('[data-testid="edit"]')?.focus();
  };
  form.addEventListener('input', (event) => {
    event.target.removeAttribute?.('aria-invalid');
    if (event.target !== at) preview.schedule();
  });
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
    }
  });
  discard.addEventListener('click', close);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = {};
    if (text.value !== initial.text) body.text = text.value;
    const link = normalizeLinkInput(url.value);
    if (link !== initial.url) body.url = link || null;
    if (at.value !== initial.at) {
      const iso = localInputToIso(at.value);
      if (at.value && !iso) return setMessage(error, 'The publish time is not a valid date and time.');
      if (iso && isPast(iso) && form.dataset.pastOk !== iso) {
        form.dataset.pastOk = iso;
        at.setAttribute('aria-invalid', 'true');
        return setMessage(error, 'That publish time has passed: it would go out as soon as possible. Save again to confirm, or change the time.');
      }
      body.at = iso;
    }
    if (Object.keys(body).length === 0) return close();
    save.disabled = true;
    try {
      const one = chosen();
      const data = await api('PUT', deliveryPath((one ?? d).id, '', one ? 'channel' : 'item'), body);
      preview.cancel();
      ui.editing.delete(group.key);
      replaceQueued(data.deliveries);
      redrawQueue();
      queueRowNode(group.key)?.querySelector('[data-testid="edit"]')?.focus();
      refreshNow();
    } catch (err) {
      if (isUnauthorized(err)) return;
      setMessage(error, err.message);
      const target = fields[err.field];
      if (target) {
        target.setAttribute('aria-invalid', 'true');
        target.focus();
      }
    } finally {
      save.disabled = false;
    }
  });
  queueMicrotask(() => preview.schedule());
  return form;
}
