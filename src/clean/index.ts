/**
 * The cleaning stage (sources → clean → compose): pure functions from a feed entry's body fields, as plain-text
 * paragraphs, to the text worth announcing and its source line. No I/O; imports nothing from sources or compose.
 *
 * Per field: double-escaped entities decoded once, UTF-8 that was read as windows-1252 repaired (mojibake.ts),
 * invisible characters and direction marks normalised, a sponsor's opening sentence and the boilerplate at the end
 * removed, the source line read off the start, the title's repeat removed at either end. Then the field that makes
 * the best summary is chosen (select-body.ts).
 */
import { removeBoilerplate, removeSponsorLead } from './boilerplate.js';
import { decodeEntitiesOnce, looksDoubleEscaped } from './entities.js';
import { hasMojibake, repairMojibake } from './mojibake.js';
import { mapRuns, paragraphText, sliceParagraph, tidyParagraph } from './runs.js';
import { selectBody, type CleanedField } from './select-body.js';
import { readSourceLine } from './source-line.js';
import { removeTitleEcho } from './title-echo.js';
import type { BodyField, BodyParagraph, CleanContext, SourceLine } from './types.js';
import { normaliseSpace } from './whitespace.js';

export type { BodyField, BodyParagraph, BodyRole, BodyRun, CleanContext, SourceLine } from './types.js';
export { extractAttribution, readSourceLine } from './source-line.js';
export { stripBoilerplate } from './boilerplate.js';
export { tidyParagraph } from './runs.js';
export { repairMojibake } from './mojibake.js';

export interface CleanBody {
  /** Plain text, paragraphs separated by one blank line; '' when no field has anything worth announcing. */
  summary: string;
  /** The field the summary came from. */
  field?: string;
  /** The source line, from the chosen field or else the first field that had one. */
  source?: SourceLine;
}

export function cleanBody(fields: readonly BodyField[], ctx: CleanContext = {}): CleanBody {
  const summaries = fields.filter((f) => f.role === 'summary').map((f) => cleanField(f, ctx));
  let contents: CleanedField[] | undefined;
  const readContents = () => (contents ??= fields.filter((f) => f.role === 'content').map((f) => cleanField(f, ctx)));
  const { chosen, paragraphs } = selectBody(summaries, readContents, ctx.title, ctx.language);
  const source = chosen?.source ?? [...summaries, ...(contents ?? [])].find((f) => f.source)?.source;
  return {
    summary: paragraphs.map(paragraphText).join('\n\n'),
    ...(chosen ? { field: chosen.field } : {}),
    ...(source ? { source } : {}),
  };
}

/** One field through every cleaning step; the paragraphs it ends with are what may be announced. */
export function cleanField(field: BodyField, ctx: CleanContext): CleanedField {
  let paragraphs = field.read().filter((p) => p.length > 0);
  let whole = paragraphs.map(paragraphText).join('\n');
  if (looksDoubleEscaped(whole)) {
    paragraphs = paragraphs.map((p) => mapRuns(p, decodeEntitiesOnce));
    whole = paragraphs.map(paragraphText).join('\n');
  }
  // Before spaces are normalised: a no-break space's mojibake ("Â" + U+00A0) must still be whole.
  if (hasMojibake(whole)) paragraphs = paragraphs.map((p) => mapRuns(p, (text) => repairMojibake(text, whole)));
  paragraphs = removeSponsorLead(paragraphs.map(normaliseSpace).filter((p) => p.length > 0));

  let cut = false;
  let source: SourceLine | undefined;
  const targets = { itemUrl: ctx.itemUrl, siteUrl: ctx.siteUrl };
  // Each step can uncover the next one's case ("… Title\n\nRead more"): repeat until nothing changes.
  for (let round = 0; round < 4; round++) {
    const before = paragraphs;
    const stripped = removeBoilerplate(paragraphs, targets);
    cut ||= stripped.cut;
    paragraphs = stripped.paragraphs;
    if (!source && paragraphs[0]) {
      const found = readSourceLine(paragraphText(paragraphs[0]));
      if (found) {
        source = found.line;
        paragraphs = replaceFirst(paragraphs, tidyParagraph(sliceParagraph(paragraphs[0], found.restStart)));
      }
    }
    paragraphs = removeTitleEcho(paragraphs, ctx.title);
    if (sameParagraphs(before, paragraphs)) break;
  }
  return { field: field.field, role: field.role, paragraphs, text: paragraphs.map(paragraphText).join('\n\n'), cut, ...(source ? { source } : {}) };
}

function replaceFirst(paragraphs: BodyParagraph[], first: BodyParagraph): BodyParagraph[] {
  return first.length > 0 ? [first, ...paragraphs.slice(1)] : paragraphs.slice(1);
}

function sameParagraphs(a: BodyParagraph[], b: BodyParagraph[]): boolean {
  return a.length === b.length && a.every((p, i) => paragraphText(p) === paragraphText(b[i]!));
}
