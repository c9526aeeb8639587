// Threadcast editor page: compose announcements with a live per-platform preview, then manage the queue and
// read the history. Plain ES modules by concern (compose, preview, queue, review, history), no framework and
// no build step, so what is served is what is reviewed.

import { api, askOtherTabs, forgetToken, handleAuth, isUnauthorized, readToken, storeToken } from './api.js';
import { clearPreview, renderChannels, restoreDraft, schedulePreview, startCompose } from './compose.js';
import { byTestId, el, setMessage } from './dom.js';
import { clearHistory } from './history.js';
import { clearQueue, MAX_QUEUE_ITEMS } from './queue.js';
import { refreshNow, startRefreshing, stopRefreshing } from './refresh.js';
import { els, ui } from './state.js';

/** Back to the token form: forget the token, stop polling, drop every piece of server data from the DOM. */
function requireToken(message, everywhere = false) {
  forgetToken(everywhere);
  stopRefreshing();
  clearPreview();
  els.app.hidden = true;
  els.tokenForget.hidden = true;
  els.tokenSection.hidden = false;
  els.dryRunBanner.hidden = true;
  clearQueue();
  clearHistory();
  for (const set of [ui.editing, ui.confirming, ui.busy, ui.rowErrors, ui.retracts]) set.clear();
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
  storeToken(token);
  await connect();
}

/** The banner that says, before anything else, which channels post nothing and why. */
function renderDryRunBanner() {
  const dry = ui.channels.filter((c) => c.dryRun);
  els.dryRunBanner.hidden = dry.length === 0;
  els.dryRunList.replaceChildren(...dry.map((c) => el('li', { 'data-testid': `dry-run-${c.id}` }, el('strong', {}, c.id), `: ${c.dryRunReason ?? 'dry-run'}`)));
}

/** Loads the channels with the stored token; on success the editor opens and starts polling. */
async function connect() {
  els.tokenSubmit.disabled = true;
  try {
    const data = await api('GET', '/api/channels');
    ui.channels = Array.isArray(data.channels) ? data.channels : [];
    ui.review = Boolean(data.editor && data.editor.review);
    renderChannels();
    renderDryRunBanner();
    setMessage(els.tokenError, '');
    els.tokenSection.hidden = true;
    els.tokenForget.hidden = false;
    els.app.hidden = false;
    startRefreshing();
    schedulePreview();
  } catch (err) {
    // A 401 has already brought the form back with the server's message; anything else is shown here.
    if (!isUnauthorized(err)) requireToken(`Could not open the editor: ${err.message}`);
  } finally {
    els.tokenSubmit.disabled = false;
  }
}

/** On a phone, Compose and Preview are one switch apart instead of one long scroll. */
function startViewSwitch() {
  const buttons = [els.showCompose, els.showPreview];
  const show = (which) => {
    els.composeGrid.dataset.show = which;
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.show === which));
    if (which === 'preview') schedulePreview();
  };
  for (const b of buttons) b.addEventListener('click', () => show(b.dataset.show));
  show('compose');
}

async function boot() {
  for (const node of document.querySelectorAll('[data-testid]')) {
    const id = node.dataset.testid;
    els[id.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = node;
  }
  els.channelFieldset = byTestId('compose-channels');
  els.queueHeading = byTestId('queue-heading');
  els.dryRunList = byTestId('dry-run-list');

  handleAuth({ unauthorized: (message) => requireToken(message), forgotten: () => requireToken('The token was forgotten in another tab.') });
  els.tokenForm.addEventListener('submit', onTokenSubmit);
  els.tokenForget.addEventListener('click', () => requireToken('The token was forgotten in every tab.', true));
  els.queueShowMore.addEventListener('click', () => {
    ui.queueItems = Math.min(ui.queueItems + 200, MAX_QUEUE_ITEMS);
    void refreshNow();
  });
  startCompose();
  startViewSwitch();
  restoreDraft();

  if (!readToken()) {
    const shared = await askOtherTabs();
    if (shared) storeToken(shared);
  }
  if (readToken()) void connect();
  else {
    els.tokenSection.hidden = false;
    els.tokenInput.focus();
  }
}

/**
 * The sign-in URL printed at start (http://127.0.0.1:PORT/?token=…) signs this tab in once: the token goes where a
 * typed one goes, and leaves the address bar and the history entry at once, so it is neither bookmarked nor shared.
 */
function takeTokenFromUrl() {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token === null) return;
  url.searchParams.delete('token');
  window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  if (token.trim()) storeToken(token.trim());
}

takeTokenFromUrl();
void boot();
