/**
 * Free-text templates (`template.text` of a channel or a source): which one an item is composed with, and the blocks
 * it gives. Pure, like the rest of compose.
 */
import type { Item } from '../core/item.js';
import { EDITOR_SOURCE_ID } from '../config/schema.js';
import { PLACEHOLDER, type Template, type TemplatePlaceholder } from '../config/template-schema.js';
import { hashtagsFor } from './hashtags.js';
import { paragraphs, singleLine } from './normalize.js';

/** `{tags}` gives every usable category, up to the most `hashtags` may ask for. */
const MAX_TEMPLATE_TAGS = 10;

/**
 * The template an item is composed with on a channel: the source's text (set on the item at intake) wins over the
 * channel's. An editor's announcement is posted as written: a template shapes feed items, not an editor's own words.
 */
export function templateFor(item: Item, channelTemplate: Template): Template {
  if (item.sourceId === EDITOR_SOURCE_ID) return channelTemplate.text === undefined ? channelTemplate : { ...channelTemplate, text: undefined };
  const text = item.template ?? channelTemplate.text;
  return text === channelTemplate.text ? channelTemplate : { ...channelTemplate, text };
}

/** What each placeholder becomes for `item`; an absent value is the empty string. */
function valuesOf(item: Item): Record<TemplatePlaceholder, string> {
  const line = (text: string | undefined) => (text === undefined ? '' : singleLine(text));
  return {
    title: line(item.title),
    summary: item.summary,
    author: line(item.author),
    outlet: line(item.outlet),
    url: line(item.url),
    tags: hashtagsFor(item.tags, MAX_TEMPLATE_TAGS).join(' '),
  };
}

export interface TemplateBlock {
  text: string;
  /** A paragraph that is only `{title}`, before any other text, reads as the title; everything else is body. */
  role: 'title' | 'body';
}

/**
 * The paragraphs of `text` with the item's values in place. A line whose placeholders are all empty is left out, so
 * "by {author}" disappears for an item that names no author instead of posting "by". A placeholder the config schema
 * did not know cannot reach here; if one did (a template stored with an item by a later release), it stays as written.
 */
export function* templateBlocks(text: string, item: Item): Generator<TemplateBlock, void, undefined> {
  const values = valuesOf(item);
  const valueOf = (name: string): string | undefined => (Object.hasOwn(values, name) ? values[name as TemplatePlaceholder] : undefined);
  let bodySeen = false;
  for (const paragraph of text.split(/\n[^\S\n]*\n/u)) {
    const kept = paragraph.split('\n').filter((line) => {
      const names = Array.from(line.matchAll(PLACEHOLDER), (m) => m[1]!);
      return names.length === 0 || names.some((name) => /\S/u.test(valueOf(name) ?? name));
    });
    const expanded = kept.join('\n').replace(PLACEHOLDER, (whole, name: string) => valueOf(name) ?? whole);
    const role: TemplateBlock['role'] = !bodySeen && paragraph.trim() === '{title}' ? 'title' : 'body';
    for (const p of paragraphs(expanded)) {
      if (!/\S/u.test(p)) continue;
      bodySeen ||= role === 'body';
      yield { text: p, role };
    }
  }
}
