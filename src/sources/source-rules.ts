import type { SourceConfig } from '../config/schema.js';
import { withFields, type Item } from '../core/item.js';
import { itemFilterFor, type ItemFilter } from './item-filter.js';

export interface RuledItems {
  /** Every item of the feed, with the source's template on it when the source has one. */
  items: Item[];
  /** The rule that drops an item (it is then marked seen, never queued), or undefined when it is taken. */
  dropRuleOf: ItemFilter;
}

const takeAll: ItemFilter = () => undefined;

/**
 * What a source's rules make of the items it brought at time `now`: polling and preview both take items in through
 * here, so preview drops and shapes exactly what polling does.
 */
export function applySourceRules(source: Pick<SourceConfig, 'include' | 'exclude' | 'maxAge' | 'template'>, items: readonly Item[], now: number): RuledItems {
  const text = source.template?.text;
  return {
    items: text === undefined ? [...items] : items.map((item) => withFields(item, { template: text })),
    dropRuleOf: itemFilterFor(source, now) ?? takeAll,
  };
}
