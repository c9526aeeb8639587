import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeBody } from '../../src/sources/decode-body.js';
import { prepareXml } from '../../src/sources/xml-prep.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

/** Every XML document among the test fixtures (licences, notes and JSON left out), decoded and prepared as parse-feed.ts does. */
export function xmlFixtures(): Array<{ path: string; xml: string }> {
  return filesUnder('tests/fixtures')
    .filter((path) => !/(?:^|\/)LICENSE$|\.(?:md|json)$/.test(path))
    .map((path) => ({ path, xml: prepareXml(decodeBody(readFileSync(path))).xml }))
    .filter(({ xml }) => xml.startsWith('<'));
}
