// History: what went out or ended, one entry per item with each channel's posts (or why nothing was posted).

import { el, platformName, safeHttpUrl } from './dom.js';
import { channelLabel, dryRunTag, groupByItem, itemBody, partsDetails, reconcile, stateBadge, timeEl } from './rows.js';
import { els, ui } from './state.js';

const HISTORY_TIME_LABELS = { published: 'published', dead: 'gave up', cancelled: 'cancelled' };
const cache = new Map();

function historyThread(d) {
  const posts = Array.isArray(d.posts) ? d.posts : [];
  const links = posts.map((post, i) => {
    const label = `Post ${i + 1}/${posts.length} on ${platformName(d.platform)}`;
    const href = d.dryRun ? null : safeHttpUrl(post.url);
    return el(
      'li',
      {},
      href
        ? el('a', { 'data-testid': 'post-link', href, target: '_blank', rel: 'noopener noreferrer' }, label)
        : el('span', { class: 'muted', 'data-testid': 'post-unlinked' }, `${label}${d.dryRun ? ' (dry-run, not sent)' : ''}`),
    );
  });
  return el(
    'li',
    { class: 'thread-line', 'data-testid': 'history-thread', 'data-delivery-id': d.id, 'data-state': d.state },
    el('div', { class: 'row-head' }, stateBadge(d), channelLabel(d), dryRunTag(d, false), timeEl(HISTORY_TIME_LABELS[d.state] ?? 'updated', d.updatedAt, d.timezone)),
    d.reason ? el('p', { class: 'reason', 'data-testid': 'row-reason' }, d.reason) : null,
    links.length ? el('ul', { class: 'post-links', 'aria-label': `Posts on ${d.channelId}` }, links) : null,
    partsDetails(d),
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

export function renderHistory(deliveries) {
  ui.history = groupByItem(deliveries);
  reconcile(els.history, cache, ui.history, historyRow, () => null);
  els.historyEmpty.hidden = deliveries.length > 0;
}

export const clearHistory = () => {
  cache.clear();
  ui.history = [];
  els.history.replaceChildren();
};
