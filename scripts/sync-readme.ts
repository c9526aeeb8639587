// Writes the generated config reference into README.md between its markers.
import { readFileSync, writeFileSync } from 'node:fs';
import { configReference } from '../src/platforms/config-schema.js';
import { replaceReference } from '../src/config/readme-section.js';

writeFileSync('README.md', replaceReference(readFileSync('README.md', 'utf8'), configReference()));
