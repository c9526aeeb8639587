import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configReference } from '../../src/platforms/config-schema.js';
import { readReference } from '../../src/config/readme-section.js';
import { REPO } from '../support/cli.js';

describe('README config reference', () => {
  it('agrees with the zod schema (fix with: npm run docs)', () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    expect(readReference(readme)).toBe(configReference());
  });

  it('lists every key of the documented example, so a renamed key cannot slip through', () => {
    const reference = configReference();
    for (const key of ['store', 'sources[].feed', 'sources[].backlog', 'channels[].service', 'channels[].apiBase', 'channels[].accessSecret']) {
      expect(reference).toContain(`\`${key}\``);
    }
  });
});
