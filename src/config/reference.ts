import { z } from 'zod';

/**
 * The README's config reference, generated from the zod schema so the two cannot drift apart
 * (a test compares them; `threadcast config reference` prints it).
 */
interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
}

/** `schema` is the assembled one (src/platforms/config-schema.ts): config/ cannot name the platforms itself. */
export function configReference(schema: z.ZodType): string {
  const root = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const rows: string[] = ['| key | type | default | meaning |', '| --- | --- | --- | --- |'];
  walk(root, '', rows);
  return rows.join('\n');
}

function walk(schema: JsonSchema, prefix: string, rows: string[]): void {
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    rows.push(`| \`${path}\` | ${typeOf(prop)} | ${defaultOf(prop)} | ${(prop.description ?? '').replace(/\|/g, '\\|')} |`);
    if (prop.properties) walk(prop, path, rows);
    const items = prop.items;
    if (items?.properties) walk(items, `${path}[]`, rows);
    const variants = (items?.oneOf ?? items?.anyOf ?? []).filter((v) => v.properties);
    if (variants.length > 0) walkVariants(variants, `${path}[]`, rows);
  }
}

/** Keys every variant shares are listed once; the others are labelled with their discriminator. */
function walkVariants(variants: JsonSchema[], prefix: string, rows: string[]): void {
  const perVariant = variants.map((v) => {
    const own: string[] = [];
    walk(v, prefix, own);
    return { label: `platform: ${String(v.properties?.platform?.const)}`, rows: own };
  });
  const shared = perVariant[0]!.rows.filter((row) => perVariant.every((v) => v.rows.includes(row)));
  rows.push(...shared);
  for (const v of perVariant) {
    for (const row of v.rows) if (!shared.includes(row)) rows.push(row.replace(/^\| `([^`]+)`/, `| \`$1\` (${v.label})`));
  }
}

function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  const variants = s.anyOf ?? s.oneOf;
  if (variants && !variants.some((v) => v.properties)) return variants.map(typeOf).join(' \\| ');
  if (s.type === 'array') return `list of ${s.items?.properties || s.items?.anyOf || s.items?.oneOf ? 'objects' : typeOf(s.items ?? {})}`;
  if (s.type === 'integer') {
    const max = s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER ? s.maximum : undefined;
    return s.minimum !== undefined ? `integer ${s.minimum}${max !== undefined ? `–${max}` : '+'}` : 'integer';
  }
  return Array.isArray(s.type) ? s.type.join(' \\| ') : (s.type ?? 'any');
}

function defaultOf(s: JsonSchema): string {
  if (s.default === undefined) return '';
  if (typeof s.default === 'object' && s.default !== null && !Array.isArray(s.default)) return '(see below)';
  return `\`${JSON.stringify(s.default)}\``;
}
