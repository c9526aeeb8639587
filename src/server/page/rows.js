// What queue and history rows share: one row per item (an announcement, a feed article) with its per-channel
// threads under it, rebuilt only when something it shows changed.

import { thumbUrl } from './api.js';
import { el, platformName } from './dom.js';
import { imageFigure } from './preview.js';
import { ui } from './state.js';
import { zonedDateTime } from './time.js';

export const STATE_LABELS = {
  held: 'held for review',
  queued: 'queued',
  publishing: 'publishing',
  published: 'published',
  failed: 'failed, will retry',
  dead: 'gave up',
  uncertain: 'uncertain',
  cancelled: 'cancelled',
  retracting: 'retracting',
  retracted: 'retracted',
};

/** What a wait's kind means, in the page's words; an unknown kind shows as itself. */
const WAIT_LABELS = {
  slot: 'the next schedule slot',
  spacing: 'the spacing between posts',
  cap: 'the channel cap',
  quiet: 'quiet hours',
  rate: "the platform's rate window",
  budget: 'the spending budget',
  auth: 'credentials an operator must fix',
};

/** Deliveries grouped by item, in the order their first delivery came: { key, deliveries }. */
export function groupByItem(deliveries) {
  const groups = new Map();
  for (const d of deliveries) {
    const key = `${d.sourceId}:${d.itemId}`;
    if (!groups.has(key)) groups.set(key, { key, deliveries: [] });
    groups.get(key).deliveries.push(d);
  }
  return [...groups.values()];
}

export function timeEl(label, iso, zone) {
  const text = zonedDateTime(iso, zone);
  return text ? el('span', { class: 'when' }, `${label} `, el('time', { datetime: iso }, text)) : null;
}

export function stateBadge(d) {
  return el('span', { class: `badge state-${d.state}`, 'data-testid': 'state', 'data-state': d.state }, STATE_LABELS[d.state] ?? d.state);
}

/** The mark every dry-run delivery carries: nothing was, or will be, posted; the reason on hover and for readers. */
export function dryRunTag(d, waiting) {
  if (!d.dryRun) return null;
  const text = waiting ? `dry-run: will be recorded, not posted${d.dryRunReason ? ` (${d.dryRunReason})` : ''}` : 'dry-run: recorded, not posted';
  return el('span', { class: 'tag dry-run', 'data-testid': 'row-dry-run', title: d.dryRunReason ?? '' }, text);
}

export const channelLabel = (d) => el('span', { class: 'channel', 'data-testid': 'row-channel' }, `${d.channelId} · ${platformName(d.platform)}`);

/** A structured wait ({ kind, until }) as one line; null when the delivery does not wait. */
export function waitLine(d) {
  if (!d.wait || typeof d.wait.kind !== 'string') return null;
  return el('p', { class: 'wait', 'data-testid': 'row-wait', 'data-wait': d.wait.kind }, `Waiting for ${WAIT_LABELS[d.wait.kind] ?? d.wait.kind}`, timeEl(' until', d.wait.until, d.timezone));
}

/** The item's text, title and image, as the first delivery has them. */
export function itemBody(d) {
  const images = Array.isArray(d.images) ? d.images : [];
  return [
    d.title ? el('p', { class: 'title', 'data-testid': 'row-title' }, d.title) : null,
    el('p', { class: 'text', 'data-testid': 'row-text' }, d.text ?? ''),
    images.length ? rowImage(d, images[0]) : null,
  ];
}

/** The image thumbnail (fetched with the token) and its alt text. */
function rowImage(d, image) {
  const figure = imageFigure(null, image.alt ?? '', 'row-image');
  if (!d.isAnnouncement) return figure;
  thumbUrl(`/api/deliveries/${encodeURIComponent(d.id)}/images/0`).then(
    (src) => figure.prepend(el('img', { src, alt: image.alt ?? '' })),
    () => {},
  );
  return figure;
}

/** The thread as it will be (or was) sent, collapsed by default. */
export function partsDetails(d) {
  const parts = Array.isArray(d.parts) ? d.parts : [];
  if (d.composeProblem) return el('p', { class: 'error', 'data-testid': 'row-compose-problem' }, `Cannot be posted: ${d.composeProblem}`);
  if (parts.length === 0) return null;
  const details = el(
    'details',
    { class: 'thread', 'data-testid': 'row-parts', open: ui.expanded.has(d.id) },
    el('summary', {}, `Thread: ${parts.length} part${parts.length === 1 ? '' : 's'}`),
    el('ol', {}, parts.map((p) => el('li', { class: 'part-text', 'data-testid': 'row-part' }, p.text))),
  );
  details.addEventListener('toggle', () => {
    if (details.open) ui.expanded.add(d.id);
    else ui.expanded.delete(d.id);
  });
  return details;
}

/**
 * Redraws `list` with one node per group, reusing a node whose signature has not changed; a group whose edit
 * form is open is left alone, so typing, focus and open details survive the refresh.
 */
export function reconcile(list, cache, groups, build, localState) {
  const seen = new Set();
  const nodes = groups.map((group) => {
    seen.add(group.key);
    const editing = ui.editing.has(group.key);
    // The expected slot is recomputed on every answer; only its shown (minute) value may cause a rebuild.
    const shown = group.deliveries.map((d) => ({ ...d, estimatedAt: zonedDateTime(d.estimatedAt) }));
    const sig = JSON.stringify([shown, editing, localState(group)]);
    const old = cache.get(group.key);
    if (old && (old.sig === sig || (editing && old.editing))) return old.node;
    const node = build(group);
    cache.set(group.key, { sig, editing, node });
    return node;
  });
  for (const key of [...cache.keys()]) if (!seen.has(key)) cache.delete(key);
  // Move only what is out of place: moving a node would blur an input inside it.
  nodes.forEach((node, i) => {
    if (list.children[i] !== node) list.insertBefore(node, list.children[i] ?? null);
  });
  while (list.children.length > nodes.length) list.lastElementChild.remove();
}
