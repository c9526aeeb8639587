// What the page keeps between renders. The server is the source of truth; this is only the page's own state.

export const ui = {
  channels: [],
  review: false,
  /** Groups (one item on its channels) from the last refresh, so a row can be redrawn at once after a local change. */
  queue: [],
  /** How many items of the queue the page asks the server for; "Show more" raises it (the server lists 200 by default). */
  queueItems: 200,
  history: [],
  /** Group keys whose edit form is open / whose cancel asks for confirmation / with a request in flight. */
  editing: new Set(),
  /** Group key → the delivery a cancel of "only this channel" names, or null for all channels. */
  confirming: new Map(),
  busy: new Set(),
  /** Delivery ids whose thread parts are expanded (kept across redraws). */
  expanded: new Set(),
  rowErrors: new Map(),
  /** Delivery id → its retract on the page: { step: 'confirm' | 'busy' | 'done', kind?, text? } (see retract.js). */
  retracts: new Map(),
};

/** The page's fixed elements, filled in at boot. */
export const els = {};
