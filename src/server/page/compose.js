// Compose: the announcement form, its draft (kept in localStorage across reloads), its image upload, the
// live count on the text box, and the checks that warn before something is lost or sent at the wrong time.

import { api, isUnauthorized, thumbUrl } from './api.js';
import { el, normalizeLinkInput, platformName, plural, safeHttpUrl, setMessage } from './dom.js';
import { livePreview } from './preview.js';
import { refreshNow } from './refresh.js';
import { els, ui } from './state.js';
import { browserZone, isPast, localInputToIso } from './time.js';

const DRAFT_KEY = 'threadcast.draft';

let preview;
/** The uploaded image: { id, alt, src } (src a blob: thumbnail), or null. */
let image = null;

export function renderChannels() {
  const boxes = ui.channels.map((channel) =>
    el(
      'label',
      { class: 'channel' },
      el('input', { type: 'checkbox', checked: true, value: channel.id, 'data-testid': `compose-channel-${channel.id}` }),
      ` ${channel.id} `,
      el('span', { class: 'platform' }, platformName(channel.platform)),
      channel.dryRun ? el('span', { class: 'tag dry-run', title: channel.dryRunReason ?? '' }, 'dry-run') : null,
      channel.timezone ? el('span', { class: 'muted zone' }, channel.timezone) : null,
    ),
  );
  els.channelFieldset.replaceChildren(el('legend', {}, 'Channels'), ...boxes);
  if (boxes.length === 0) els.channelFieldset.append(el('p', { class: 'hint' }, 'No channels are configured.'));
  els.composeReview.hidden = !ui.review;
  restoreDraftChannels();
}

const selectedChannels = () => [...els.channelFieldset.querySelectorAll('input[type="checkbox"]')].filter((b) => b.checked).map((b) => b.value);

/** The link as it will be sent: "www.example.org" made https://, or '' for none. */
const composeLink = () => normalizeLinkInput(els.composeUrl.value);

function previewRequest() {
  const text = els.composeText.value;
  const channels = selectedChannels();
  if (!text.trim()) return { idle: 'Type an announcement to see it as followers will.' };
  if (channels.length === 0) return { idle: 'Choose a channel to see its preview.' };
  const body = { text, channels };
  const link = composeLink();
  // A link the server would refuse does not hide the whole preview: the thread is shown without it, and why.
  let note;
  if (link && safeHttpUrl(link)) body.url = link;
  else if (link) note = `The link "${link}" is not an http(s) address; the preview leaves it out.`;
  return { body, note, image: image ? { src: image.src, alt: els.composeAlt.value.trim() } : null };
}

/** The live count beside the text box: characters and words as typed (each platform's own count is in the preview). */
function updateCount() {
  const text = els.composeText.value;
  const words = (text.match(/\S+/g) ?? []).length;
  els.composeCount.textContent = `${plural([...text].length, 'character')}, ${plural(words, 'word')}`;
}

function saveDraft() {
  const draft = {
    text: els.composeText.value,
    url: els.composeUrl.value,
    at: els.composeAt.value,
    alt: els.composeAlt.value,
    image: image ? image.id : null,
    channels: selectedChannels(),
  };
  if (!draft.text && !draft.url && !draft.at && !draft.image) localStorage.removeItem(DRAFT_KEY);
  else localStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
}

function readDraft() {
  try {
    const draft = JSON.parse(localStorage.getItem(DRAFT_KEY) ?? 'null');
    return draft && typeof draft === 'object' ? draft : null;
  } catch {
    return null;
  }
}

/** Puts a saved draft back into the fields (at boot, before the channels are known). */
export function restoreDraft() {
  const draft = readDraft();
  if (!draft) return;
  for (const [field, input] of [['text', els.composeText], ['url', els.composeUrl], ['at', els.composeAt], ['alt', els.composeAlt]]) {
    if (typeof draft[field] === 'string') input.value = draft[field];
  }
  if (typeof draft.image === 'string') void showImage(draft.image);
  updateCount();
  if (draft.text) setMessage(els.composeStatus, 'Your draft was restored.');
}

function restoreDraftChannels() {
  const draft = readDraft();
  if (!Array.isArray(draft?.channels)) return;
  for (const box of els.channelFieldset.querySelectorAll('input[type="checkbox"]')) box.checked = draft.channels.includes(box.value);
}

async function showImage(id) {
  image = { id, src: null };
  els.composeImagePreview.replaceChildren(el('span', { class: 'muted' }, 'Loading the image…'));
  els.composeImageRemove.hidden = false;
  try {
    image.src = await thumbUrl(`/api/uploads/${encodeURIComponent(id)}`);
    els.composeImagePreview.replaceChildren(el('img', { src: image.src, alt: '', 'data-testid': 'compose-image-thumb' }));
  } catch (err) {
    if (!isUnauthorized(err)) els.composeImagePreview.replaceChildren(el('span', { class: 'error' }, `The image is gone: ${err.message}`));
    image = null;
  }
  preview.schedule();
}

function removeImage() {
  image = null;
  els.composeImage.value = '';
  els.composeImagePreview.replaceChildren();
  els.composeImageRemove.hidden = true;
  saveDraft();
  preview.schedule();
}

async function onImageChosen() {
  const file = els.composeImage.files?.[0];
  if (!file) return;
  const form = new FormData();
  form.append('image', file);
  setMessage(els.composeError, '');
  els.composeImagePreview.replaceChildren(el('span', { class: 'muted' }, 'Uploading…'));
  try {
    const data = await api('POST', '/api/uploads', form);
    await showImage(data.image.id);
    saveDraft();
    els.composeAlt.focus();
  } catch (err) {
    els.composeImagePreview.replaceChildren();
    if (!isUnauthorized(err)) composeProblem(err.message, 'image');
  }
}

const composeFields = () => ({ text: els.composeText, url: els.composeUrl, at: els.composeAt, image: els.composeImage, alt: els.composeAlt });

/** Marks the field the server (or the page) complained about, and moves focus there. */
function flagComposeField(field) {
  for (const input of Object.values(composeFields())) input.removeAttribute('aria-invalid');
  const target = field === 'channels' ? els.channelFieldset.querySelector('input') : composeFields()[field];
  if (target) {
    target.setAttribute('aria-invalid', 'true');
    target.focus();
  }
}

function composeProblem(message, field) {
  setMessage(els.composeError, message);
  flagComposeField(message ? field : null);
}

/** Asks once, inline, before queueing for a time already gone (it would go out at once). */
function confirmPast(at) {
  return els.composePastConfirm.dataset.for === at;
}

async function onSubmit(event) {
  event.preventDefault();
  setMessage(els.composeStatus, '');
  const body = { text: els.composeText.value, channels: selectedChannels() };
  const link = composeLink();
  if (link) body.url = link;
  if (!body.text.trim()) return composeProblem('Write the announcement first.', 'text');
  if (body.channels.length === 0) return composeProblem('Choose at least one channel.', 'channels');
  if (image) {
    const alt = els.composeAlt.value.trim();
    if (!alt) return composeProblem('Describe the image (alt text), so everyone can follow the post.', 'alt');
    Object.assign(body, { image: image.id, alt });
  }
  if (els.composeAt.value) {
    const at = localInputToIso(els.composeAt.value);
    if (!at) return composeProblem('The publish time is not a valid date and time.', 'at');
    if (isPast(at) && !confirmPast(at)) {
      els.composePastConfirm.dataset.for = at;
      els.composePast.hidden = false;
      return composeProblem('That publish time has passed: it would go out as soon as possible. Press "Queue anyway" to confirm, or change the time.', 'at');
    }
    body.at = at;
  }
  els.composeSubmit.disabled = true;
  try {
    const data = await api('POST', '/api/announcements', body);
    const count = Array.isArray(data.deliveries) ? data.deliveries.length : 0;
    composeProblem('', null);
    setMessage(els.composeStatus, `Queued on ${plural(count, 'channel')}${ui.review ? '; it waits for approval in the queue' : ''}.`);
    for (const input of [els.composeText, els.composeUrl, els.composeAt, els.composeAlt]) input.value = '';
    removeImage();
    hidePastConfirm();
    localStorage.removeItem(DRAFT_KEY);
    updateCount();
    preview.schedule();
    refreshNow();
  } catch (err) {
    if (!isUnauthorized(err)) composeProblem(err.message, err.field ?? null);
  } finally {
    els.composeSubmit.disabled = false;
  }
}

function hidePastConfirm() {
  els.composePast.hidden = true;
  delete els.composePastConfirm.dataset.for;
}

export function startCompose() {
  preview = livePreview({ container: els.preview, status: els.previewStatus, error: els.previewError, banner: els.droppedBanner, read: previewRequest });
  els.composeZone.textContent = browserZone();
  els.composeForm.addEventListener('submit', onSubmit);
  els.composeImage.addEventListener('change', () => void onImageChosen());
  els.composeImageRemove.addEventListener('click', removeImage);
  els.composePastConfirm.addEventListener('click', () => els.composeForm.requestSubmit());
  // Any change to what would be posted (text, link, alt, a channel box) re-runs the preview; the publish time
  // does not change the thread. Typing also clears a stale error mark and the last "Queued" message.
  els.composeForm.addEventListener('input', (event) => {
    event.target.removeAttribute?.('aria-invalid');
    setMessage(els.composeStatus, '');
    if (event.target === els.composeAt) hidePastConfirm();
    if (event.target === els.composeText) updateCount();
    if (event.target !== els.composeAt && event.target !== els.composeImage) preview.schedule();
    saveDraft();
  });
  els.composeUrl.addEventListener('blur', () => {
    const link = composeLink();
    if (link !== els.composeUrl.value.trim()) {
      els.composeUrl.value = link;
      saveDraft();
    }
  });
  updateCount();
}

export const schedulePreview = () => preview?.schedule();
export const clearPreview = () => preview?.clear();
