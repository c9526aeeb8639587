// Threadcast editor page: compose announcements with a live per-platform preview, then manage the queue
// and read the history. Plain ES2022 module, no framework and no build step, so what is served is what is
// reviewed.
//
// Security rules followed throughout (every delivery, feed title, card and reason is untrusted data):
// - data reaches the DOM only through textContent / createElement / setAttribute, never innerHTML;
// - an href is only ever an absolute http(s) URL, an <img src> only a data:image/ URL;
// - the only thing stored is the token the user typed (sessionStorage, so it dies with the tab).

const TOKEN_KEY = 'threadcast.token';
const PREVIEW_DELAY_MS = 250;
const REFRESH_MS = 3000;

const PLATFORM_NAMES = { x: 'X', bluesky: 'Bluesky' };

const STATE_LABELS = {
  held: 'held for review',
  queued: 'queued',
  publishing: 'publishing',
  published: 'published',
  failed: 'failed, will retry',
  dead: 'gave up',
  uncertain: 'uncertain',
  cancelled: 'cancelled',
};

// ---------------------------------------------------------------------------------------------------------
// DOM helpers

/** The single element with this data-testid (the page's own markup, so it must exist). */
function byTestId(id, root = document) {
  const found = root.querySelector(`[data-testid="${id}"]`);
  if (!found) throw new Error(`page markup is missing data-testid="${id}"`);
  return found;
}

/**
 * createElement with attributes and children. Strings become text nodes, so untrusted text can be passed
 * straight in. `null`/`undefined`/`false` attributes and children are skipped, which keeps call sites flat.
 */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Shows `text` in an error/status element, or hides it when empty. Writing only on change keeps
 *  screen readers from re-announcing the same alert on every refresh. */
function setMessage(node, text) {
  const value = text ?? '';
  if (node.textContent !== value) node.textContent = value;
  node.hidden = value === '';
}

// ---------------------------------------------------------------------------------------------------------
// Untrusted URLs

/** An absolute http(s) URL, normalised, or null: `javascript:`, `data:` and relative URLs never become links. */
function safeHttpUrl(value) {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** A thumbnail is shown only as an inline data:image/ URL: the page itself then never loads third-party
 *  content (no tracking pixel, no request to an internal address). */
function safeImageDataUrl(value) {
  return typeof value === 'string' && /^data:image\/[a-z0-9.+-]+[;,]/i.test(value) ? value : null;
}

// ---------------------------------------------------------------------------------------------------------
// Time

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const clockFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

const pad = (n) => String(n).padStart(2, '0');

/** An ISO instant as the reader's local date and time, or null. */
function localDateTime(iso) {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : dateTimeFormat.format(date);
}

/**
 * A datetime-local value ("2026-12-01T09:00") → ISO 8601 with the browser's offset for that date
 * ("2026-12-01T09:00:00+01:00"), which the API requires. Built from the Date's own local fields, so a time
 * in a DST gap is moved the way the browser moves it instead of naming a wall time that does not exist.
 */
function localInputToIso(value) {
  if (!value) return null;
  const date = new Date(value); // a date-time without offset is local time
  if (Number.isNaN(date.getTime())) return null;
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** An ISO instant → a datetime-local value in the browser's zone ('' when absent). */
function isoToLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// ---------------------------------------------------------------------------------------------------------
// API client

class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.field = field;
  }
}

function readToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/**
 * One JSON request to the API. Same-origin fetch with a JSON body is exactly what the server's CSRF check
 * expects. A 401 anywhere sends the user back to the token form with the server's own message.
 */
async function api(method, path, body, { signal } = {}) {
  const token = readToken();
  if (!token) {
    requireToken('');
    throw new ApiError(401, 'Enter the API token.');
  }
  const headers = { Accept: 'application/json', Authorization: `Bearer ${token}` };
  const init = { method, headers, signal, cache: 'no-store', credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  let data = null;
  try {
    data = await response.json();
  } catch {
    // Not JSON (a proxy's error page, an empty body): the status alone has to do.
  }
  const serverMessage = data && typeof data.error === 'string' ? data.error : null;
  if (response.status === 401) {
    const message = serverMessage ?? 'The API token was refused.';
    requireToken(message);
    throw new ApiError(401, message);
  }
  if (!response.ok) {
    const field = data && typeof data.field === 'string' ? data.field : undefined;
    throw new ApiError(response.status, serverMessage ?? `The server answered ${response.status}.`, field);
  }
  return data ?? {};
}

const deliveryPath = (id, action = '') => `/api/deliveries/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;

const isAbort = (err) => err instanceof DOMException && err.name === 'AbortError';

// ---------------------------------------------------------------------------------------------------------
// Page state (kept small: the server is the source of truth, this is only what the page needs between renders)

const ui = {
  channels: [],
  review: false,
  /** Deliveries from the last refresh, so a row can be redrawn at once after a local change. */
  queue: [],
  history: [],
  /** Delivery ids whose edit form is open / whose cancel asks for confirmation / with a request in flight. */
  editing: new Set(),
  confirming: new Set(),
  busy: new Set(),
  /** Delivery ids whose thread parts are expanded (kept across redraws). */
  expanded: new Set(),
  rowErrors: new Map(),
};

// ---------------------------------------------------------------------------------------------------------
// Token form

let els; // filled in boot(): the page's fixed elements

/** Back to the token form: forget the token, stop polling, drop every piece of server data from the DOM. */
function requireToken(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  stopRefreshing();
  cancelPreview();
  els.app.hidden = true;
  els.tokenForget.hidden = true;
  els.tokenSection.hidden = false;
  for (const list of [els.queue, els.history, els.preview]) list.replaceChildren();
  rowCaches.queue.clear();
  rowCaches.history.clear();
  ui.queue = [];
  ui.history = [];
  for (const set of [ui.editing, ui.confirming, ui.busy]) set.clear();
  ui.rowErrors.clear();
  els.preview.dataset.state = 'idle';
  setMessage(els.previewStatus, '');
  setMessage(els.previewError, '');
  setMessage(els.tokenError, message);
  setMessage(els.refreshStatus, '');
  els.tokenInput.focus();
}

async function onTokenSubmit(event) {
  event.preventDefault();
  const token = els.tokenInput.value.trim();
  // The field is cleared at once: the token then lives only in sessionStorage, never in the DOM.
  els.tokenInput.value = '';
  if (!token) {
    setMessage(els.tokenError, 'Enter the API token.');
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  await connect();
}

/** Loads the channels with the stored token; on success the editor opens and starts polling. */
async function connect() {
  els.tokenSubmit.disabled = true;
  try {
    const data = await api('GET', '/api/channels');
    ui.channels = Array.isArray(data.channels) ? data.channels : [];
    ui.review = Boolean(data.editor && data.editor.review);
    renderChannels();
    setMessage(els.tokenError, '');
    els.tokenSection.hidden = true;
    els.tokenForget.hidden = false;
    els.app.hidden = false;
    startRefreshing();
    schedulePreview();
  } catch (err) {
    // A 401 has already brought the form back with the server's message; anything else is shown here.
    if (!(err instanceof ApiError && err.status === 401)) requireToken(`Could not open the editor: ${err.message}`);
  } finally {
    els.tokenSubmit.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Compose

function renderChannels() {
  const boxes = ui.channels.map((channel) =>
    el(
      'label',
      { class: 'channel' },
      el('input', { type: 'checkbox', checked: true, value: channel.id, 'data-testid': `compose-channel-${channel.id}` }),
      ` ${channel.id} `,
      el('span', { class: 'platform' }, PLATFORM_NAMES[channel.platform] ?? channel.platform),
      channel.dryRun ? el('span', { class: 'tag' }, 'dry-run') : null,
    ),
  );
  els.channelFieldset.replaceChildren(el('legend', {}, 'Channels'), ...boxes);
  if (boxes.length === 0) els.channelFieldset.append(el('p', { class: 'hint' }, 'No channels are configured.'));
  els.composeReview.hidden = !ui.review;
}

function selectedChannels() {
  return [...els.channelFieldset.querySelectorAll('input[type="checkbox"]')].filter((box) => box.checked).map((box) => box.value);
}

/** The compose fields as an API body; `at` converted to ISO with the browser's offset. */
function composeBody() {
  const body = { text: els.composeText.value, channels: selectedChannels() };
  const url = els.composeUrl.value.trim();
  if (url) body.url = url;
  return body;
}

const composeFields = () => ({ text: els.composeText, url: els.composeUrl, at: els.composeAt });

/** Marks the field the server (or the page) complained about, and moves focus there. */
function flagComposeField(field) {
  for (const input of Object.values(composeFields())) input.removeAttribute('aria-invalid');
  const target = field === 'channels' ? els.channelFieldset.querySelector('input') : composeFields()[field];
  if (target) {
    target.setAttribute('aria-invalid', 'true');
    target.focus();
  }
}

async function onComposeSubmit(event) {
  event.preventDefault();
  setMessage(els.composeStatus, '');
  const body = composeBody();
  if (!body.text.trim()) return composeProblem('Write the announcement first.', 'text');
  if (body.channels.length === 0) return composeProblem('Choose at least one channel.', 'channels');
  if (els.composeAt.value) {
    const at = localInputToIso(els.composeAt.value);
    if (!at) return composeProblem('The publish time is not a valid date and time.', 'at');
    body.at = at;
  }
  els.composeSubmit.disabled = true;
  try {
    const data = await api('POST', '/api/announcements', body);
    const count = Array.isArray(data.deliveries) ? data.deliveries.length : 0;
    composeProblem('', null);
    setMessage(els.composeStatus, `Queued on ${count} channel${count === 1 ? '' : 's'}${ui.review ? '; it waits for approval in the queue' : ''}.`);
    els.composeText.value = '';
    els.composeUrl.value = '';
    els.composeAt.value = '';
    schedulePreview();
    refreshNow();
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) composeProblem(err.message, err.field ?? null);
  } finally {
    els.composeSubmit.disabled = false;
  }
}

function composeProblem(message, field) {
  setMessage(els.composeError, message);
  if (message) flagComposeField(field);
  else flagComposeField(null);
}

// ---------------------------------------------------------------------------------------------------------
// Live preview: debounced, and a newer request aborts the older one so a slow answer never overwrites a
// newer text's preview. data-state on the container (idle/pending/loading/ready/error) tells tests and
// styles whether what is shown matches the fields.

let previewTimer = 0;
let previewController = null;

function cancelPreview() {
  clearTimeout(previewTimer);
  previewController?.abort();
  previewController = null;
}

function schedulePreview() {
  cancelPreview();
  els.preview.dataset.state = 'pending';
  previewTimer = setTimeout(runPreview, PREVIEW_DELAY_MS);
}

async function runPreview() {
  const body = composeBody();
  if (!body.text.trim() || body.channels.length === 0) {
    els.preview.replaceChildren();
    els.preview.dataset.state = 'idle';
    setMessage(els.previewError, '');
    setMessage(els.previewStatus, body.text.trim() ? 'Choose a channel to see its preview.' : 'Type an announcement to see it as followers will.');
    return;
  }
  const controller = new AbortController();
  previewController = controller;
  els.preview.dataset.state = 'loading';
  els.preview.classList.add('stale');
  setMessage(els.previewStatus, 'Updating the preview…');
  try {
    const data = await api('POST', '/api/preview', body, { signal: controller.signal });
    if (controller !== previewController) return; // superseded while the answer was on its way
    const channels = Array.isArray(data.channels) ? data.channels : [];
    els.preview.replaceChildren(...channels.map(previewBlock));
    setMessage(els.previewError, '');
    setMessage(els.previewStatus, `As it will be posted on ${channels.length} channel${channels.length === 1 ? '' : 's'}:`);
    els.preview.dataset.state = 'ready';
  } catch (err) {
    if (isAbort(err) || controller !== previewController) return;
    if (err instanceof ApiError && err.status === 401) return;
    els.preview.replaceChildren();
    setMessage(els.previewStatus, '');
    setMessage(els.previewError, err.message);
    els.preview.dataset.state = 'error';
  } finally {
    if (controller === previewController) {
      previewController = null;
      els.preview.classList.remove('stale');
    }
  }
}

function formatUsd(amount) {
  return `$${amount.toFixed(3)}`;
}

/** One channel's preview: its parts exactly as they will be posted, their counts, card and cost. */
function previewBlock(channel) {
  const parts = Array.isArray(channel.parts) ? channel.parts : [];
  const platform = PLATFORM_NAMES[channel.platform] ?? channel.platform;
  const invalid = parts.filter((p) => !p.valid).length;
  return el(
    'article',
    { class: 'preview-channel', 'data-testid': `preview-${channel.channelId}`, 'data-platform': channel.platform },
    el(
      'header',
      { class: 'preview-head' },
      el('h3', {}, channel.channelId),
      el('span', { class: 'platform' }, platform),
      el('span', { class: 'muted' }, `${parts.length} part${parts.length === 1 ? '' : 's'}`),
      typeof channel.costUsd === 'number'
        ? el('span', { class: 'cost', 'data-testid': 'preview-cost', title: 'Estimated X API cost of this thread' }, formatUsd(channel.costUsd))
        : null,
    ),
    channel.composeProblem ? el('p', { class: 'error', 'data-testid': 'compose-problem' }, `Cannot be posted on ${platform}: ${channel.composeProblem}`) : null,
    invalid ? el('p', { class: 'error' }, `${invalid} part${invalid === 1 ? ' is' : 's are'} not valid on ${platform} and would be refused.`) : null,
    el('ol', { class: 'parts' }, parts.map((part, i) => previewPart(part, i, parts.length))),
    channel.linkCard ? linkCard(channel.linkCard) : null,
    channel.linkCardProblem ? el('p', { class: 'hint card-problem', 'data-testid': 'card-problem' }, `Link card: ${channel.linkCardProblem}`) : null,
  );
}

function previewPart(part, index, total) {
  const over = typeof part.length === 'number' && typeof part.limit === 'number' && part.length > part.limit;
  return el(
    'li',
    { class: part.valid ? 'part' : 'part invalid', 'data-testid': 'preview-part', 'data-valid': String(Boolean(part.valid)), 'aria-label': `Part ${index + 1} of ${total}` },
    // Exactly the part's text: CSS keeps its line breaks (white-space: pre-wrap), nothing is added inside.
    el('div', { class: 'part-text' }, part.text),
    el(
      'div',
      { class: 'part-meta' },
      el('span', { class: 'count', 'data-testid': 'part-count' }, `${part.length}/${part.limit} ${part.unit}`),
      part.valid ? null : el('span', { class: 'flag', 'data-testid': 'part-invalid' }, over ? 'too long' : 'not valid'),
    ),
  );
}

/** The link card as the platform will show it. The thumb is a data: URL made by the server, so showing it
 *  does not make the browser fetch anything. */
function linkCard(card) {
  const href = safeHttpUrl(card.uri);
  const thumb = safeImageDataUrl(card.thumb);
  let host = '';
  if (href) host = new URL(href).host;
  return el(
    'figure',
    { class: 'link-card', 'data-testid': 'preview-card' },
    thumb ? el('img', { src: thumb, alt: '', 'data-testid': 'card-thumb' }) : null,
    el(
      'figcaption',
      {},
      el('span', { class: 'card-host' }, host),
      href
        ? el('a', { class: 'card-title', 'data-testid': 'card-title', href, target: '_blank', rel: 'noopener noreferrer' }, card.title ?? '')
        : el('span', { class: 'card-title', 'data-testid': 'card-title' }, card.title ?? ''),
      card.description ? el('span', { class: 'card-description', 'data-testid': 'card-description' }, card.description) : null,
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Queue and history rows. Both lists are redrawn every few seconds; a row is rebuilt only when its delivery
// or its local UI state changed, and a row with an open edit form is left alone, so typing, focus and open
// details survive the refresh.

const rowCaches = { queue: new Map(), history: new Map() };

function reconcile(list, cache, deliveries, build) {
  const seen = new Set();
  const nodes = deliveries.map((delivery) => {
    seen.add(delivery.id);
    const editing = ui.editing.has(delivery.id);
    // The expected slot is recomputed on every answer; only its shown (minute) value may cause a rebuild,
    // or every row would be replaced every few seconds, possibly under the user's pointer.
    const shown = { ...delivery, estimatedAt: localDateTime(delivery.estimatedAt) };
    const sig = JSON.stringify([shown, editing, ui.confirming.has(delivery.id), ui.busy.has(delivery.id), ui.rowErrors.get(delivery.id) ?? null]);
    const old = cache.get(delivery.id);
    if (old && (old.sig === sig || (editing && old.editing))) return old.node;
    const node = build(delivery);
    cache.set(delivery.id, { sig, editing, node });
    return node;
  });
  for (const id of [...cache.keys()]) if (!seen.has(id)) cache.delete(id);
  // Move only what is out of place: moving a node would blur an input inside it.
  nodes.forEach((node, i) => {
    if (list.children[i] !== node) list.insertBefore(node, list.children[i] ?? null);
  });
  while (list.children.length > nodes.length) list.lastElementChild.remove();
}

function renderQueue(deliveries) {
  ui.queue = deliveries;
  const present = new Set(deliveries.map((d) => d.id));
  // A delivery that left the queue (sent, cancelled elsewhere) takes its local UI state with it.
  for (const set of [ui.editing, ui.confirming]) for (const id of set) if (!present.has(id)) set.delete(id);
  reconcile(els.queue, rowCaches.queue, deliveries, queueRow);
  els.queueEmpty.hidden = deliveries.length > 0;
}

function renderHistory(deliveries) {
  ui.history = deliveries;
  reconcile(els.history, rowCaches.history, deliveries, historyRow);
  els.historyEmpty.hidden = deliveries.length > 0;
}

/** Redraws the queue from what the page already has (after a local UI change, before the next refresh). */
function redrawQueue() {
  renderQueue(ui.queue);
}

function replaceQueued(delivery) {
  if (!delivery || typeof delivery.id !== 'string') return;
  ui.queue = ui.queue.map((d) => (d.id === delivery.id ? delivery : d));
}

const platformName = (d) => PLATFORM_NAMES[d.platform] ?? d.platform;

/** Channel, origin, dry-run: the small print every row starts with. */
function rowHead(d, timeLine) {
  return el(
    'div',
    { class: 'row-head' },
    el('span', { class: `badge state-${d.state}`, 'data-testid': 'state', 'data-state': d.state }, STATE_LABELS[d.state] ?? d.state),
    el('span', { class: 'channel', 'data-testid': 'row-channel' }, `${d.channelId} · ${platformName(d)}`),
    el('span', { class: 'muted' }, d.isAnnouncement ? 'announcement' : `feed ${d.sourceId}`),
    d.dryRun ? el('span', { class: 'tag' }, 'dry-run') : null,
    timeLine,
  );
}

function timeEl(label, iso) {
  const text = localDateTime(iso);
  return text ? el('span', { class: 'when' }, `${label} `, el('time', { datetime: iso }, text)) : null;
}

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

/** A structured wait ({ kind, until }) as one line; null when the delivery does not wait. */
function waitLine(d) {
  if (!d.wait || typeof d.wait.kind !== 'string') return null;
  return el(
    'p',
    { class: 'wait', 'data-testid': 'row-wait', 'data-wait': d.wait.kind },
    `Waiting for ${WAIT_LABELS[d.wait.kind] ?? d.wait.kind}`,
    timeEl(' until', d.wait.until),
  );
}

function rowBody(d, withReason) {
  return [
    d.title ? el('p', { class: 'title', 'data-testid': 'row-title' }, d.title) : null,
    el('p', { class: 'text', 'data-testid': 'row-text' }, d.text ?? ''),
    waitLine(d),
    withReason && d.reason ? el('p', { class: 'reason', 'data-testid': 'row-reason' }, d.reason) : null,
  ];
}

/** The thread as it will be (or was) sent, collapsed by default. */
function partsDetails(d) {
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

function queueRow(d) {
  const when = d.estimatedAt ? timeEl('expected', d.estimatedAt) : d.notBefore ? timeEl('not before', d.notBefore) : el('span', { class: 'when' }, 'as soon as possible');
  const describe = d.title ?? (d.text ?? '').slice(0, 60);
  const busy = ui.busy.has(d.id);
  const button = (action, label) =>
    // The server says which actions it would accept (delivery-view.ts), so the page keeps no state rules.
    Array.isArray(d.actions) && d.actions.includes(action)
      ? el('button', { type: 'button', class: action === 'cancel' ? 'danger' : action === 'approve' ? 'primary' : '', 'data-testid': action, 'aria-label': `${label}: ${describe} (${d.channelId})`, disabled: busy }, label)
      : null;
  const buttons = el('div', { class: 'actions' }, button('approve', 'Approve'), button('hold', 'Hold'), button('edit', 'Edit'), button('cancel', 'Cancel…'));
  for (const b of buttons.querySelectorAll('button')) b.addEventListener('click', () => onRowAction(d, b.dataset.testid));

  const row = el(
    'li',
    { class: 'row', 'data-testid': 'queue-row', 'data-delivery-id': d.id, 'data-state': d.state },
    rowHead(d, when),
    rowBody(d, true),
    partsDetails(d),
    buttons,
    ui.confirming.has(d.id) ? cancelConfirm(d) : null,
    ui.rowErrors.has(d.id) ? el('p', { class: 'error', 'data-testid': 'row-error', role: 'alert' }, ui.rowErrors.get(d.id)) : null,
    ui.editing.has(d.id) ? editForm(d) : null,
  );
  return row;
}

/** Cancelling cannot be undone, so it asks once more, inline (a confirm() dialog would block the page). */
function cancelConfirm(d) {
  const yes = el('button', { type: 'button', class: 'danger', 'data-testid': 'cancel-confirm' }, 'Yes, cancel it');
  const no = el('button', { type: 'button', 'data-testid': 'cancel-keep' }, 'Keep it');
  yes.addEventListener('click', () => {
    ui.confirming.delete(d.id);
    void transition(d.id, 'cancel');
  });
  no.addEventListener('click', () => {
    ui.confirming.delete(d.id);
    redrawQueue();
  });
  return el('div', { class: 'confirm', role: 'group', 'aria-label': 'Confirm cancellation' }, el('span', {}, 'Cancel this delivery? It will not be published.'), yes, no);
}

function onRowAction(d, action) {
  ui.rowErrors.delete(d.id);
  if (action === 'edit') {
    ui.editing.add(d.id);
    ui.confirming.delete(d.id);
    redrawQueue();
    document.querySelector(`[data-testid="queue-row"][data-delivery-id="${CSS.escape(d.id)}"] [data-testid="edit-text"]`)?.focus();
    return;
  }
  if (action === 'cancel') {
    ui.confirming.add(d.id);
    redrawQueue();
    return;
  }
  void transition(d.id, action);
}

/** approve / hold / cancel: POST, show the answer at once, then refresh both lists. */
async function transition(id, action) {
  ui.busy.add(id);
  redrawQueue();
  try {
    const data = await api('POST', deliveryPath(id, action), {});
    replaceQueued(data.delivery);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    ui.rowErrors.set(id, `Could not ${action}: ${err.message}`);
  } finally {
    ui.busy.delete(id);
  }
  redrawQueue();
  refreshNow();
}

/** Inline edit of text, link and publish time; only the fields that changed are sent. */
function editForm(d) {
  const initial = { text: d.text ?? '', url: d.url ?? '', at: isoToLocalInput(d.notBefore) };
  const text = el('textarea', { rows: 5, 'data-testid': 'edit-text' });
  text.value = initial.text;
  const url = el('input', { type: 'url', 'data-testid': 'edit-url', spellcheck: 'false' });
  url.value = initial.url;
  const at = el('input', { type: 'datetime-local', 'data-testid': 'edit-at' });
  at.value = initial.at;
  const error = el('p', { class: 'error', 'data-testid': 'edit-error', role: 'alert', hidden: true });
  const save = el('button', { type: 'submit', class: 'primary', 'data-testid': 'edit-save' }, 'Save changes');
  const discard = el('button', { type: 'button', 'data-testid': 'edit-discard' }, 'Discard');
  const form = el(
    'form',
    { class: 'edit-form', 'data-testid': 'edit-form', 'aria-label': 'Edit delivery', novalidate: true },
    el('label', {}, 'Text', text),
    el('label', {}, 'Link (empty for none)', url),
    el('label', {}, 'Publish at (your local time, empty for as soon as possible)', at),
    el('div', { class: 'form-row' }, save, discard),
    error,
  );
  const fields = { text, url, at };

  discard.addEventListener('click', () => {
    ui.editing.delete(d.id);
    redrawQueue();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = {};
    if (text.value !== initial.text) body.text = text.value;
    if (url.value.trim() !== initial.url) body.url = url.value.trim() || null;
    if (at.value !== initial.at) {
      const iso = localInputToIso(at.value);
      if (at.value && !iso) return setMessage(error, 'The publish time is not a valid date and time.');
      body.at = iso;
    }
    if (Object.keys(body).length === 0) {
      ui.editing.delete(d.id);
      redrawQueue();
      return;
    }
    save.disabled = true;
    try {
      const data = await api('PUT', deliveryPath(d.id), body);
      ui.editing.delete(d.id);
      replaceQueued(data.delivery);
      redrawQueue();
      refreshNow();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
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
  return form;
}

const HISTORY_TIME_LABELS = { published: 'published', dead: 'gave up', cancelled: 'cancelled' };

function historyRow(d) {
  const posts = Array.isArray(d.posts) ? d.posts : [];
  const links = posts.map((post, i) => {
    const label = `Post ${i + 1}/${posts.length} on ${platformName(d)}`;
    const href = safeHttpUrl(post.url);
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
    { class: 'row', 'data-testid': 'history-row', 'data-delivery-id': d.id, 'data-state': d.state },
    rowHead(d, timeEl(HISTORY_TIME_LABELS[d.state] ?? 'updated', d.updatedAt)),
    rowBody(d, d.state !== 'published' || Boolean(d.reason)),
    links.length ? el('ul', { class: 'post-links', 'aria-label': 'Posts' }, links) : null,
    partsDetails(d),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Polling: queue and history every few seconds and after every action. One request pair at a time; a
// refresh asked for while one runs is done right after it, so an action's result is never missed.

const refresher = { active: false, timer: 0, running: null, again: false };

function startRefreshing() {
  refresher.active = true;
  void refreshNow();
}

function stopRefreshing() {
  refresher.active = false;
  refresher.again = false;
  clearTimeout(refresher.timer);
}

async function refreshNow() {
  if (!refresher.active) return;
  if (refresher.running) {
    refresher.again = true;
    return;
  }
  clearTimeout(refresher.timer);
  refresher.running = (async () => {
    try {
      const [queue, history] = await Promise.all([api('GET', '/api/deliveries?view=queue'), api('GET', '/api/deliveries?view=history')]);
      if (!refresher.active) return;
      renderQueue(Array.isArray(queue.deliveries) ? queue.deliveries : []);
      renderHistory(Array.isArray(history.deliveries) ? history.deliveries : []);
      setMessage(els.queueError, '');
      setMessage(els.refreshStatus, `Updated ${clockFormat.format(new Date())}`);
    } catch (err) {
      if (refresher.active && !(err instanceof ApiError && err.status === 401)) setMessage(els.queueError, `Could not refresh: ${err.message}`);
    }
  })();
  await refresher.running;
  refresher.running = null;
  if (!refresher.active) return;
  if (refresher.again) {
    refresher.again = false;
    void refreshNow();
    return;
  }
  refresher.timer = setTimeout(refreshNow, REFRESH_MS);
}

// ---------------------------------------------------------------------------------------------------------
// Boot

function boot() {
  els = {
    tokenSection: byTestId('token-section'),
    tokenForm: byTestId('token-form'),
    tokenInput: byTestId('token-input'),
    tokenSubmit: byTestId('token-submit'),
    tokenError: byTestId('token-error'),
    tokenForget: byTestId('token-forget'),
    refreshStatus: byTestId('refresh-status'),
    app: byTestId('app'),
    composeForm: byTestId('compose-form'),
    composeText: byTestId('compose-text'),
    composeUrl: byTestId('compose-url'),
    composeAt: byTestId('compose-at'),
    channelFieldset: byTestId('compose-channels'),
    composeReview: byTestId('compose-review'),
    composeSubmit: byTestId('compose-submit'),
    composeError: byTestId('compose-error'),
    composeStatus: byTestId('compose-status'),
    preview: byTestId('preview'),
    previewStatus: byTestId('preview-status'),
    previewError: byTestId('preview-error'),
    queue: byTestId('queue'),
    queueError: byTestId('queue-error'),
    queueEmpty: byTestId('queue-empty'),
    history: byTestId('history'),
    historyEmpty: byTestId('history-empty'),
  };
  els.preview.dataset.state = 'idle';

  els.tokenForm.addEventListener('submit', onTokenSubmit);
  els.tokenForget.addEventListener('click', () => requireToken('The token was forgotten in this tab.'));
  els.composeForm.addEventListener('submit', onComposeSubmit);
  // Any change to what would be posted (text, link, a channel box) re-runs the preview; the publish time
  // does not change the thread. Typing also clears a stale error mark.
  els.composeForm.addEventListener('input', (event) => {
    event.target.removeAttribute?.('aria-invalid');
    if (event.target !== els.composeAt) schedulePreview();
  });

  if (readToken()) void connect();
  else {
    els.tokenSection.hidden = false;
    els.tokenInput.focus();
  }
}

boot();
