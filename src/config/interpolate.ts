/**
 * `${VAR}` and `${VAR:-default}` in string values, replaced after YAML parsing so a value can never
 * inject YAML structure. An unset variable without a default removes the key: optional credentials
 * then count as missing (dry-run), and a required field reports which variable was unset.
 */
export interface Interpolated {
  value: unknown;
  /** Paths whose value referred to an unset variable, with the variable's name. */
  unset: Array<{ path: (string | number)[]; variable: string }>;
}

const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function interpolateEnv(input: unknown, env: NodeJS.ProcessEnv): Interpolated {
  const unset: Interpolated['unset'] = [];
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (typeof value === 'string') {
      let missing: string | undefined;
      const replaced = value.replace(reference, (_, name: string, fallback: string | undefined) => {
        const found = env[name];
        if (found !== undefined && found !== '') return found;
        if (fallback !== undefined) return fallback;
        missing ??= name;
        return '';
      });
      if (missing !== undefined) {
        unset.push({ path, variable: missing });
        return undefined;
      }
      return replaced;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const w = walk(v, [...path, k]);
        if (w !== undefined) out[k] = w;
      }
      return out;
    }
    return value;
  };
  return { value: walk(input, []), unset };
}

/**
 * What the file itself writes in a value: every `${VAR}` removed and every `${VAR:-default}` replaced by
 * its default. Empty when the whole value comes from the environment.
 */
export function literalText(value: string): string {
  return value.replace(reference, (_, _name: string, fallback: string | undefined) => fallback ?? '');
}
