import { NOT_STARTED_STATES } from '../core/delivery-states.js';
import type { Delivery } from '../core/delivery.js';

/** What an editor may do to one delivery (the outbox enforces these; the editor page offers them). */
export type EditorAction = 'approve' | 'hold' | 'edit' | 'cancel';

/**
 * How far an editor's action on one delivery reaches: 'item' is every channel the same item (an announcement, a
 * feed article) waits on, so one story never goes out in two versions; 'channel' is that delivery alone.
 */
export type EditorScope = 'item' | 'channel';
export const EDITOR_SCOPES: readonly EditorScope[] = ['item', 'channel'];

/**
 * Nothing of it has gone out: its state still allows it, and no post or platform intent is recorded (a
 * resumed thread can be back in the queue with posts already on the platform).
 */
export function hasNotStarted(d: Delivery): boolean {
  return NOT_STARTED_STATES.includes(d.state) && d.posts.length === 0 && d.intent === undefined;
}

/** The actions the outbox would accept for `d` now; holding a held delivery changes nothing, so it is not offered. */
export function editorActions(d: Delivery): EditorAction[] {
  const actions: EditorAction[] = [];
  if (d.state === 'held') actions.push('approve');
  else if (hasNotStarted(d)) actions.push('hold');
  if (hasNotStarted(d)) actions.push('edit', 'cancel');
  return actions;
}
