// Polling: queue and history every few seconds and after every action. One request pair at a time; a refresh
// asked for while one runs is done right after it, so an action's result is never missed.

import { api, isUnauthorized } from './api.js';
import { setMessage } from './dom.js';
import { renderHistory } from './history.js';
import { renderMoreItems, renderQueue } from './queue.js';
import { els, ui } from './state.js';
import { clockFormat } from './time.js';

const REFRESH_MS = 3000;
const refresher = { active: false, timer: 0, running: null, again: false };

export function startRefreshing() {
  refresher.active = true;
  void refreshNow();
}

export function stopRefreshing() {
  refresher.active = false;
  refresher.again = false;
  clearTimeout(refresher.timer);
}

export async function refreshNow() {
  if (!refresher.active) return;
  if (refresher.running) {
    refresher.again = true;
    return refresher.running;
  }
  clearTimeout(refresher.timer);
  refresher.running = (async () => {
    try {
      const [queue, history] = await Promise.all([api('GET', `/api/deliveries?view=queue&items=${ui.queueItems}`), api('GET', '/api/deliveries?view=history')]);
      if (!refresher.active) return;
      const waiting = Array.isArray(queue.deliveries) ? queue.deliveries : [];
      // The server lists a thread being retracted with the open ones; the page shows it in History, where its
      // published thread was and where its retract is finished.
      renderQueue(waiting.filter((d) => d.state !== 'retracting'));
      renderMoreItems(queue.moreItems);
      renderHistory([...waiting.filter((d) => d.state === 'retracting'), ...(Array.isArray(history.deliveries) ? history.deliveries : [])]);
      setMessage(els.queueError, '');
      setMessage(els.refreshStatus, `Updated ${clockFormat.format(new Date())}`);
    } catch (err) {
      if (refresher.active && !isUnauthorized(err)) setMessage(els.queueError, `Could not refresh: ${err.message}`);
    }
  })();
  await refresher.running;
  refresher.running = null;
  if (!refresher.active) return;
  if (refresher.again) {
    refresher.again = false;
    return refreshNow();
  }
  refresher.timer = setTimeout(refreshNow, REFRESH_MS);
}
