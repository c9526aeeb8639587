/**
 * What an operator reads when a part's outcome cannot be settled by itself (README, "X"): which post,
 * on which account, and the exact commands that finish the thread. Only public facts go in — the
 * post's own text, the account's handle, channel and delivery ids — never a credential.
 */

const EXCERPT_CHARS = 50;

export interface PartInDoubt {
  /** Index of the part in the thread. */
  index: number;
  text: string;
  channelId: string;
  deliveryId: string;
  /** The account's handle, when X said it. */
  username?: string;
}

/** `part 2 ("The first fifty characters of its text…") of @account`. */
export function describePart(p: PartInDoubt): string {
  const flat = p.text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  const excerpt = chars.length > EXCERPT_CHARS ? `${chars.slice(0, EXCERPT_CHARS).join('')}…` : flat;
  return `part ${p.index + 1} ("${excerpt}")${p.username ? ` of @${p.username}` : ''}`;
}

const retryCommand = (p: PartInDoubt) => `\`threadcast retry ${p.deliveryId}\``;

/** What a retry after deleting the post sends again. */
const resentAfterDelete = (p: PartInDoubt) => (p.index === 0 ? 'the whole thread again' : `part ${p.index + 1} and the rest of the thread again`);

/** Without read access: X proved the part is there (by refusing a duplicate) but not where. */
export function idUnknownWithoutRead(p: PartInDoubt): string {
  return (
    `${describePart(p)} is on X, but X did not say its id, so the rest of the thread cannot be attached to it. ` +
    `Either set readAccess: true for channel ${p.channelId} and run ${retryCommand(p)} (it then finds the post and finishes the thread), ` +
    `or delete that post on X and run ${retryCommand(p)} (it posts ${resentAfterDelete(p)}).`
  );
}

/** With read access: X refuses the part as a duplicate, yet it is not among the posts read. */
export function idUnknownAfterSearch(p: PartInDoubt, searched: number): string {
  return (
    `${describePart(p)} is on X (X refuses it as a duplicate), but it is not among the ${searched} latest posts read, so its id is unknown; ` +
    `the next attempt reads again. If it stays unfound, delete that post on X and run ${retryCommand(p)} (it posts ${resentAfterDelete(p)}).`
  );
}

/** With read access: the read failed in a way that may pass (network, 5xx, a 429 without a reset). */
export function readFailed(p: PartInDoubt, detail: string): string {
  return (
    `${describePart(p)} may be on X, and reading the account's recent posts to find it failed (${detail}); ` +
    `nothing more is sent until it is settled, and the next attempt reads again. ` +
    `If this keeps failing, check that X is reachable and answers GET /2/users/:id/tweets for this account, then run ${retryCommand(p)}.`
  );
}

/** With read access: X refused the read itself (4xx), so only an operator can change that. */
export function readRefused(p: PartInDoubt, detail: string): string {
  return (
    `${describePart(p)} may be on X, but X refused reading the account's recent posts (${detail}). ` +
    `Either give the app access to read the account's posts, or set readAccess: false for channel ${p.channelId}; then run ${retryCommand(p)}.`
  );
}

/** Without read access: the re-send meant to settle the part got no clear answer either. */
export function resendUnanswered(p: PartInDoubt, detail: string): string {
  return (
    `${describePart(p)} may be on X, and sending it again to let X's duplicate refusal tell got no clear answer (${detail}); ` +
    `the next attempt sends it again. If this keeps failing, check that X is reachable, then run ${retryCommand(p)}.`
  );
}
