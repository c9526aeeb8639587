/**
 * Store.addToTotal works in whole numbers (an X channel's spend is kept in micro-dollars): both backends keep the
 * total exactly, and Redis' Lua writes it back as JSON without a fraction or an exponent.
 */
export function assertIntegers(delta: number, limit: number | undefined): void {
  if (!Number.isSafeInteger(delta) || (limit !== undefined && !Number.isSafeInteger(limit))) {
    throw new RangeError(`addToTotal takes whole numbers; got delta ${delta}${limit !== undefined ? `, limit ${limit}` : ''}`);
  }
}
