// Queue: everything waiting, one row per item with its per-channel threads under it. The row's buttons act on
// every channel the item waits on; each thread has "only this channel" buttons of its own.

import { el } from './dom.js';
import { cancelConfirm, editForm, onAction } from './review.js';
import { channelLabel, dryRunTag, groupByItem, itemBody, partsDetails, reconcile, stateBadge, timeEl, waitLine } from './rows.js';
import { els, ui } from './state.js';

const cache = new Map();
const ACTIONS = [
  ['approve', 'Approve'],
  ['hold', 'Hold'],
  ['edit', 'Edit'],
  ['cancel', 'Cancel…'],
];

/** The deliveries of a group that allow `action` now (the server says which, in each delivery's `actions`). */
export const allowing = (group, action) => group.deliveries.filter((d) => Array.isArray(d.actions) && d.actions.includes(action));

function threadLine(group, d) {
  const when = d.estimatedAt ? timeEl('expected', d.estimatedAt, d.timezone) : d.notBefore ? timeEl('not before', d.notBefore, d.timezone) : el('span', { class: 'when' }, 'as soon as possible');
  const busy = ui.busy.has(group.key);
  // Only this channel: offered when the item waits on more than one, else the row's own buttons are the same.
  const single = group.deliveries.length > 1;
  const button = (action, label) =>
    single && d.actions?.includes(action)
      ? el('button', { type: 'button', class: 'small', 'data-testid': `${action}-one`, 'aria-label': `${label} only here (${d.channelId})`, disabled: busy }, `${label} only here`)
      : null;
  const buttons = el('div', { class: 'actions one' }, button('approve', 'Approve'), button('hold', 'Hold'), button('cancel', 'Cancel'));
  for (const b of buttons.querySelectorAll('button')) b.addEventListener('click', () => onAction(group, b.dataset.testid.replace('-one', ''), d));
  return el(
    'li',
    { class: 'thread-line', 'data-testid': 'queue-thread', 'data-delivery-id': d.id, 'data-state': d.state },
    el('div', { class: 'row-head' }, stateBadge(d), channelLabel(d), dryRunTag(d, true), when),
    waitLine(d),
    d.reason ? el('p', { class: 'reason', 'data-testid': 'row-reason' }, d.reason) : null,
    partsDetails(d),
    buttons.childElementCount ? buttons : null,
  );
}

function queueRow(group) {
  const first = group.deliveries[0];
  const busy = ui.busy.has(group.key);
  const describe = first.title ?? (first.text ?? '').slice(0, 60);
  const n = group.deliveries.length;
  const button = (action, label) =>
    allowing(group, action).length
      ? el(
          'button',
          {
            type: 'button',
            class: action === 'cancel' ? 'danger' : action === 'approve' ? 'primary' : '',
            'data-testid': action,
            'aria-label': `${label.replace('…', '')}: ${describe}${n > 1 ? ` (all ${n} channels)` : ` (${first.channelId})`}`,
            disabled: busy,
          },
          label,
        )
      : null;
  const buttons = el('div', { class: 'actions' }, ACTIONS.map(([action, label]) => button(action, label)));
  for (const b of buttons.querySelectorAll('button')) b.addEventListener('click', () => onAction(group, b.dataset.testid));
  const confirming = ui.confirming.get(group.key);
  return el(
    'li',
    { class: 'row', 'data-testid': 'queue-row', 'data-item-key': group.key, 'data-delivery-ids': group.deliveries.map((d) => d.id).join(' ') },
    el('div', { class: 'row-head' }, el('span', { class: 'muted' }, first.isAnnouncement ? 'announcement' : `feed ${first.sourceId}`), n > 1 ? el('span', { class: 'muted' }, `on ${n} channels`) : null),
    itemBody(first),
    buttons.childElementCount ? buttons : null,
    confirming ? cancelConfirm(group, confirming) : null,
    ui.rowErrors.has(group.key) ? el('p', { class: 'error', 'data-testid': 'row-error', role: 'alert' }, ui.rowErrors.get(group.key)) : null,
    ui.editing.has(group.key) ? editForm(group) : null,
    el('ul', { class: 'threads', 'aria-label': 'Channels' }, group.deliveries.map((d) => threadLine(group, d))),
  );
}

export function renderQueue(deliveries) {
  ui.queue = groupByItem(deliveries);
  const present = new Set(ui.queue.map((g) => g.key));
  // A group that left the queue (sent, cancelled elsewhere) takes its local UI state with it.
  for (const key of ui.editing) if (!present.has(key)) ui.editing.delete(key);
  for (const key of ui.confirming.keys()) if (!present.has(key)) ui.confirming.delete(key);
  reconcile(els.queue, cache, ui.queue, queueRow, (g) => [ui.confirming.get(g.key) ?? null, ui.busy.has(g.key), ui.rowErrors.get(g.key) ?? null]);
  els.queueEmpty.hidden = deliveries.length > 0;
}

/** Says how many items wait after the listed ones, when some do (a long queue is listed from its start). */
export function renderMoreItems(moreItems) {
  const more = Number.isInteger(moreItems) && moreItems > 0 ? moreItems : 0;
  els.queueMore.hidden = more === 0;
  els.queueMoreText.textContent = more === 1 ? '1 more item waits after these.' : `${more} more items wait after these.`;
  els.queueShowMore.disabled = ui.queueItems >= MAX_QUEUE_ITEMS;
}

/** The most items the server lists at once. */
export const MAX_QUEUE_ITEMS = 5000;

/** Redraws the queue from what the page already has (after a local UI change, before the next refresh). */
export function redrawQueue() {
  renderQueue(ui.queue.flatMap((g) => g.deliveries));
}

/** Puts the deliveries an action returned in place of the ones the page had. */
export function replaceQueued(changed) {
  if (!Array.isArray(changed)) return;
  const byId = new Map(changed.filter((d) => d && typeof d.id === 'string').map((d) => [d.id, d]));
  ui.queue = ui.queue.map((g) => ({ ...g, deliveries: g.deliveries.map((d) => byId.get(d.id) ?? d) }));
}

export const clearQueue = () => {
  cache.clear();
  ui.queue = [];
  ui.queueItems = 200;
  els.queue.replaceChildren();
  els.queueMore.hidden = true;
};

export const queueRowNode = (key) => [...els.queue.children].find((node) => node.dataset.itemKey === key) ?? null;
