// Previews that look like posts: each channel's parts exactly as they will be posted, with the handle, links,
// mentions and tags styled, the image with its alt text, counters that warn before a limit, and a banner when
// the template's maxParts leaves text out. Used by Compose and by the edit form.

import { api, isAbort, isUnauthorized } from './api.js';
import { el, platformName, plural, safeHttpUrl, safeImageDataUrl, setMessage } from './dom.js';

const PREVIEW_DELAY_MS = 250;
/** A counter turns amber from this share of the limit on, and red past it. */
const NEAR_LIMIT = 0.9;

/** Links, @mentions and #tags inside a part's text, so they show as the platform will show them. */
const ENTITY = /(https?:\/\/[^\s]+|www\.[^\s]+\.[^\s]+|@[\w.-]+[\w]|#[\p{L}\p{N}_]+)/gu;

/** The part's text with its entities styled; anything odd in one entity leaves that entity as plain text. */
function styledText(text) {
  const out = [];
  let last = 0;
  for (const match of text.matchAll(ENTITY)) {
    const token = match[0];
    out.push(text.slice(last, match.index));
    last = match.index + token.length;
    if (token.startsWith('@')) out.push(el('span', { class: 'mention' }, token));
    else if (token.startsWith('#')) out.push(el('span', { class: 'hashtag' }, token));
    else {
      const href = safeHttpUrl(token.startsWith('www.') ? `https://${token}` : token);
      out.push(href ? el('a', { class: 'post-link', href, target: '_blank', rel: 'noopener noreferrer' }, token) : token);
    }
  }
  out.push(text.slice(last));
  return out;
}

/** "near" at ≥ 90 % of the limit, "over" past it, else "ok": the counter's colour. */
export function countLevel(length, limit) {
  if (typeof length !== 'number' || typeof limit !== 'number' || limit <= 0) return 'ok';
  if (length > limit) return 'over';
  return length >= NEAR_LIMIT * limit ? 'near' : 'ok';
}

function previewPart(part, index, total) {
  const level = countLevel(part.length, part.limit);
  let body;
  try {
    body = styledText(String(part.text ?? ''));
  } catch {
    body = [String(part.text ?? '')];
  }
  return el(
    'li',
    { class: part.valid ? 'part' : 'part invalid', 'data-testid': 'preview-part', 'data-valid': String(Boolean(part.valid)), 'aria-label': `Part ${index + 1} of ${total}` },
    // Exactly the part's text: CSS keeps its line breaks (white-space: pre-wrap), nothing is added inside.
    el('div', { class: 'part-text' }, body),
    el(
      'div',
      { class: 'part-meta' },
      el('span', { class: `count count-${level}`, 'data-testid': 'part-count', 'data-level': level }, `${part.length}/${part.limit} ${part.unit}`),
      part.valid ? null : el('span', { class: 'flag', 'data-testid': 'part-invalid' }, level === 'over' ? 'too long' : 'not valid'),
    ),
  );
}

/** The link card as the platform will show it; its thumb is a data: URL the server made. */
function linkCard(card) {
  const href = safeHttpUrl(card.uri);
  const thumb = safeImageDataUrl(card.thumb);
  return el(
    'figure',
    { class: 'link-card', 'data-testid': 'preview-card' },
    thumb ? el('img', { src: thumb, alt: '', 'data-testid': 'card-thumb' }) : null,
    el(
      'figcaption',
      {},
      el('span', { class: 'card-host' }, href ? new URL(href).host : ''),
      href
        ? el('a', { class: 'card-title', 'data-testid': 'card-title', href, target: '_blank', rel: 'noopener noreferrer' }, card.title ?? '')
        : el('span', { class: 'card-title', 'data-testid': 'card-title' }, card.title ?? ''),
      card.description ? el('span', { class: 'card-description', 'data-testid': 'card-description' }, card.description) : null,
    ),
  );
}

/** The image the first post carries, with its alt text shown beside it (as the platforms let readers see it). */
export function imageFigure(src, alt, testId = 'preview-image') {
  return el(
    'figure',
    { class: 'post-image', 'data-testid': testId },
    src ? el('img', { src, alt }) : null,
    el('figcaption', { 'data-testid': `${testId}-alt` }, el('span', { class: 'alt-badge' }, 'ALT'), ` ${alt}`),
  );
}

/** How much the thread leaves out, in words and characters; null when it shows everything. */
export function droppedMessage(dropped, where) {
  if (!dropped || typeof dropped.words !== 'number') return null;
  return `${where}: the thread is cut at its maximum number of parts; ${plural(dropped.words, 'word')} (${plural(dropped.characters, 'character')}) at the end will not be posted.`;
}

/** One channel's preview: handle, parts, counts, card, image, cost, and the warnings that concern it. */
export function previewBlock(channel, image) {
  const parts = Array.isArray(channel.parts) ? channel.parts : [];
  const platform = platformName(channel.platform);
  const invalid = parts.filter((p) => !p.valid).length;
  const dropped = droppedMessage(channel.dropped, `${channel.channelId} (${platform})`);
  return el(
    'article',
    { class: 'preview-channel', 'data-testid': `preview-${channel.channelId}`, 'data-platform': channel.platform },
    el(
      'header',
      { class: 'preview-head' },
      el('span', { class: 'avatar', 'aria-hidden': 'true' }, platform.slice(0, 1)),
      el('h3', {}, channel.channelId),
      el('span', { class: 'platform' }, platform),
      el('span', { class: 'muted' }, plural(parts.length, 'part')),
      channel.dryRunReason ? el('span', { class: 'tag dry-run', 'data-testid': 'preview-dry-run', title: channel.dryRunReason }, 'dry-run: recorded, not posted') : null,
      typeof channel.costUsd === 'number'
        ? el('span', { class: 'cost', 'data-testid': 'preview-cost', title: 'Estimated X API cost of this thread' }, `$${channel.costUsd.toFixed(3)}`)
        : null,
    ),
    channel.composeProblem ? el('p', { class: 'error', 'data-testid': 'compose-problem' }, `Cannot be posted on ${platform}: ${channel.composeProblem}`) : null,
    dropped ? el('p', { class: 'warning', 'data-testid': 'preview-dropped', role: 'note' }, dropped) : null,
    invalid ? el('p', { class: 'error' }, `${plural(invalid, 'part')} ${invalid === 1 ? 'is' : 'are'} not valid on ${platform} and would be refused.`) : null,
    el('ol', { class: 'parts' }, parts.map((part, i) => previewPart(part, i, parts.length))),
    image && parts.length ? imageFigure(image.src, image.alt) : null,
    channel.linkCard ? linkCard(channel.linkCard) : null,
    channel.linkCardProblem ? el('p', { class: 'hint card-problem', 'data-testid': 'card-problem' }, `Link card: ${channel.linkCardProblem}`) : null,
  );
}

/**
 * A live preview: debounced, and a newer request aborts the older one so a slow answer never overwrites a
 * newer text's preview. data-state on the container (idle/pending/loading/ready/error) tells tests and styles
 * whether what is shown matches the fields. `read()` gives { body, image, note } or { idle: message }.
 */
export function livePreview({ container, status, error, banner, read }) {
  let timer = 0;
  let controller = null;
  container.dataset.state = 'idle';

  const cancel = () => {
    clearTimeout(timer);
    controller?.abort();
    controller = null;
  };

  const clear = () => {
    cancel();
    container.replaceChildren();
    container.dataset.state = 'idle';
    setMessage(status, '');
    setMessage(error, '');
    if (banner) setMessage(banner, '');
  };

  async function run() {
    const wanted = read();
    if (wanted.idle !== undefined) {
      container.replaceChildren();
      container.dataset.state = 'idle';
      setMessage(error, '');
      if (banner) setMessage(banner, '');
      setMessage(status, wanted.idle);
      return;
    }
    const mine = new AbortController();
    controller = mine;
    container.dataset.state = 'loading';
    container.classList.add('stale');
    setMessage(status, 'Updating the preview…');
    try {
      const data = await api('POST', '/api/preview', wanted.body, { signal: mine.signal });
      if (mine !== controller) return; // superseded while the answer was on its way
      const channels = Array.isArray(data.channels) ? data.channels : [];
      container.replaceChildren(...channels.map((c) => previewBlock(c, wanted.image)));
      const losses = channels.map((c) => droppedMessage(c.dropped, `${c.channelId} (${platformName(c.platform)})`)).filter(Boolean);
      if (banner) setMessage(banner, losses.length ? `Text will be lost. ${losses.join(' ')}` : '');
      setMessage(error, wanted.note ?? '');
      setMessage(status, `As it will be posted on ${plural(channels.length, 'channel')}:`);
      container.dataset.state = 'ready';
    } catch (err) {
      if (isAbort(err) || mine !== controller || isUnauthorized(err)) return;
      container.replaceChildren();
      setMessage(status, '');
      setMessage(error, err.message);
      container.dataset.state = 'error';
    } finally {
      if (mine === controller) {
        controller = null;
        container.classList.remove('stale');
      }
    }
  }

  return {
    schedule() {
      cancel();
      container.dataset.state = 'pending';
      timer = setTimeout(run, PREVIEW_DELAY_MS);
    },
    cancel,
    clear,
  };
}
