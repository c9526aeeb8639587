// History: what went out or ended, one entry per item with each channel's posts (or why nothing was posted), and
// each published thread's Retract button (retract.js).

import { el, platformName, safeHttpUrl } from './dom.js';
import { retractControls } from './retract.js';
import { channelLabel, dryRunTag, groupByItem, itemBody, partsDetails, reconcile, stateBadge, timeEl } from './rows.js';
import { els, ui } from './state.js';

const HISTORY_TIME_LABELS = { published: 'published', dead: 'gave up', cancelled: 'cancelled', retracting: 'retract started', retracted: 'retracted' };
const cache = new Map();

function postLabel(d, i, total) {
  const label = `Post ${i + 1}/${total} on ${platformName(d.platform)}`;
  if (d.dryRun) return `${label} (dry-run, not sent)`;
  return d.state === 'retracted' ? `${label} (deleted)` : label;
}

function historyThread(d) {
  const posts = Array.isArray(d.posts) ? d.posts : [];
  const links = posts.map((post, i) => {
    const label = postLabel(d, i, posts.length);
    // A deleted post's address leads nowhere: it stays as text.
    const href = d.dryRun || d.state === 'retracted' ? null : safeHttpUrl(post.url);
    return el(
      'li',
      {},
      href
        ? el('a', { 'data-testid': 'post-link', href, target: '_blank', rel: 'noopener noreferrer' }, label)
        : el('span', { class: 'muted', 'data-testid': 'post-unlinked' }, label),
    );
  });
  return el(
    'li',
    { class: 'thread-line', 'data-testid': 'history-thread', 'data-delivery-id': d.id, 'data-state': d.state, tabindex: '-1' },
    el('div', { class: 'row-head' }, stateBadge(d), channelLabel(d), dryRunTag(d, false), timeEl(HISTORY_TIME_LABELS[d.state] ?? 'updated', d.updatedAt, d.timezone)),
    d.reason ? el('p', { class: 'reason', 'data-testid': 'row-reason' }, d.reason) : null,
    links.length ? el('ul', { class: 'post-links', 'aria-label': `Posts on ${d.channelId}` }, links) : null,
    partsDetails(d),
    retractControls(d),
  );
}

function historyRow(group) {
  const first = group.deliveries[0];
  return el(
    'li',
    { class: 'row', 'data-testid': 'history-row', 'data-item-key': group.key },
    el('div', { class: 'row-head' }, el('span', { class: 'muted' }, first.isAnnouncement ? 'announcement' : `feed ${first.sourceId}`)),
    itemBody(first),
    el('ul', { class: 'threads', 'aria-label': 'Channels' }, group.deliveries.map(historyThread)),
  );
}

export const historyThreadNode = (id) =>
  [...els.history.querySelectorAll('[data-testid="history-thread"]')].find((node) => node.dataset.deliveryId === id) ?? null;

/** What has focus inside History, by its thread and test id, so a rebuilt row can give it back. */
function focusedInHistory() {
  const active = document.activeElement;
  if (!active || !els.history.contains(active)) return null;
  const thread = active.closest('[data-testid="history-thread"]');
  return thread ? { id: thread.dataset.deliveryId, testId: active === thread ? null : active.dataset.testid } : null;
}

/** Newest first, as the server lists History; a thread being retracted comes from the queue view (refresh.js). */
const newestFirst = (deliveries) => [...deliveries].sort((a, b) => String(b.updatedAt).localeCompare(String(a.updatedAt)));

export function renderHistory(deliveries) {
  const focused = focusedInHistory();
  ui.history = groupByItem(newestFirst(deliveries));
  reconcile(els.history, cache, ui.history, historyRow, (g) => g.deliveries.map((d) => ui.retracts.get(d.id) ?? null));
  els.historyEmpty.hidden = deliveries.length > 0;
  // A refresh that rebuilt the focused row must not drop focus to <body>.
  if (focused && !els.history.contains(document.activeElement)) {
    const thread = historyThreadNode(focused.id);
    const target = focused.testId ? thread?.querySelector(`[data-testid="${focused.testId}"]`) : thread;
    (target ?? thread)?.focus();
  }
}

/** Redraws History from what the page already has (after a local change, before the next refresh). */
export const redrawHistory = () => renderHistory(ui.history.flatMap((g) => g.deliveries));

/** Puts a delivery an action returned in place of the one the page had. */
export function replaceInHistory(changed) {
  renderHistory(ui.history.flatMap((g) => g.deliveries).map((d) => (d.id === changed.id ? changed : d)));
}

export const clearHistory = () => {
  cache.clear();
  ui.history = [];
  els.history.replaceChildren();
};
