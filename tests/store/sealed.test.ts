import { describe, expect, it } from 'vitest';
import { seal, unseal } from '../../src/store/sealed.js';

describe('sealed state', () => {
  const session = { did: 'did:plc:x', accessJwt: 'access-token-value', refreshJwt: 'refresh-token-value' };

  it('round-trips under the same secret and context', () => {
    expect(unseal(seal(session, 'app-pass', 'bluesky:session:a'), 'app-pass', 'bluesky:session:a')).toEqual(session);
  });

  it('stores nothing readable: the tokens do not appear in the sealed form', () => {
    const text = JSON.stringify(seal(session, 'app-pass', 'ctx'));
    expect(text).not.toContain('access-token-value');
    expect(text).not.toContain('refresh-token-value');
    expect(text).not.toContain('app-pass');
  });

  it('yields nothing under another secret, another context, or damaged data', () => {
    const sealed = seal(session, 'app-pass', 'ctx');
    expect(unseal(sealed, 'new-pass', 'ctx')).toBeUndefined();
    expect(unseal(sealed, 'app-pass', 'other')).toBeUndefined();
    expect(unseal({ ...sealed, data: sealed.data.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }, 'app-pass', 'ctx')).toBeUndefined();
    expect(unseal('garbage', 'app-pass', 'ctx')).toBeUndefined();
  });
});
