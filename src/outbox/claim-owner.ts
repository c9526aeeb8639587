// The owner helpers live beside the claims they name, in src/store/claim-owner.ts; outbox.ts still imports
// from here until its own import moves there.
export { isDeadLocalOwner } from '../store/claim-owner.js';
