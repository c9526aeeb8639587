/**
 * The one path from Item to parts that every platform shares. A platform contributes only its fits
 * rule and how links are displayed; everything else (layout, packing, numbering, truncation, hashtags)
 * is identical, so X and Bluesky threads differ only where the platforms do.
 */
import type { Item } from '../core/item.js';
import { placesPlaceholder, type Template } from '../config/template-schema.js';
import { hashtagsFor } from './hashtags.js';
import { singleLine } from './normalize.js';
import { pack, type Packed } from './packer.js';
import type { LinkDisplay, RenderedPart } from './render.js';
import { resolveLocale } from './segment.js';
import { firstTextBudget, textBudget, tokenize, type Token } from './tokens.js';

export interface PlatformRules {
  name: string;
  fits: (text: string) => boolean;
  /** How the item link is shown at the end of a part. */
  linkDisplay: (uri: string) => string;
  /** How a summary token that contains links is shown. */
  adaptToken: (token: Token) => Token;
}

export function composeParts(item: Item, template: Template, rules: PlatformRules): RenderedPart[] {
  const locale = resolveLocale(item.language);
  const url = item.url === undefined ? '' : singleLine(item.url);
  // A text template that places the link or the tags itself has them where it says, not again at the end.
  const placed = (name: 'url' | 'tags') => template.text !== undefined && placesPlaceholder(template.text, name);
  const linkMode = placed('url') ? 'none' : template.link;
  const link: LinkDisplay | undefined = url && linkMode !== 'none' ? { display: rules.linkDisplay(url), uri: url } : undefined;

  const hashtags = placed('tags') ? [] : hashtagsFor(item.tags, template.hashtags);
  // Read a little of a long text first; only a thread that takes text from near where reading stopped,
  // which the rest of the text could change, is composed again from all that compose ever reads.
  const packWithin = (budget: number): Packed => {
    const { tokens, more, settled } = tokenize(item, template, locale, budget);
    return pack(tokens.map(rules.adaptToken), {
      fits: rules.fits,
      maxParts: template.maxParts,
      numbering: template.numbering,
      linkMode,
      link,
      hashtags,
      more,
      settled,
    });
  };
  const first = packWithin(firstTextBudget(template.maxParts));
  const { parts } = first.unsettled ? packWithin(textBudget(template.maxParts)) : first;

  // A part that breaks the platform limit would be refused at publish time, long after the editor saw
  // the preview; failing here makes it a bug we see, not a post that silently never goes out.
  parts.forEach((p, i) => {
    if (p.text.length === 0 || p.text !== p.text.trim() || !rules.fits(p.text)) {
      throw new Error(`compose(${rules.name}): part ${i + 1} of item ${item.id} breaks the platform rules`);
    }
  });
  return parts;
}
