import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The folders of src/ are layers (README, "How it works"): a module imports from its own folder and from
 * folders below it, never from one above. Type-only imports count too: they tie the lower folder to the upper
 * one's shapes just the same. Subfolders belong to their top folder (platforms/x/ is platforms/).
 */
const LAYERS = ['cli', 'app', 'server', 'outbox', 'platforms', 'media', 'sources', 'clean', 'compose', 'schedule', 'http', 'store', 'config', 'core'];

const ROOT = path.resolve(import.meta.dirname, '../..');
const SRC = path.join(ROOT, 'src');

interface Import {
  /** The importing file, relative to src/. */
  file: string;
  /** Relative to the repository, e.g. src/server/ops-routes.ts:2. */
  at: string;
  specifier: string;
  /** Where the specifier points, relative to src/ (e.g. app/health.js), or undefined for a package. */
  target: string | undefined;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every module specifier a file names: import and export-from declarations, `import()` calls and `import()` types. */
function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (literal: ts.Node) => {
    if (!ts.isStringLiteralLike(literal)) return;
    const specifier = literal.text;
    const line = source.getLineAndCharacterOfPosition(literal.getStart(source)).line + 1;
    const target = specifier.startsWith('.') ? path.relative(SRC, path.resolve(path.dirname(file), specifier)) : undefined;
    found.push({ file: path.relative(SRC, file), at: `${path.relative(ROOT, file)}:${line}`, specifier, target });
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) add(node.moduleSpecifier);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]) add(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The layer of a path relative to src/: its top folder, or undefined for a file directly in src/. */
const layerOf = (relative: string): string | undefined => (relative.includes(path.sep) ? relative.split(path.sep)[0] : undefined);

const files = sourceFiles(SRC);

describe('src/ layering', () => {
  it('places every file of src/ in a layer', () => {
    const unplaced = files.map((f) => path.relative(SRC, f)).filter((f) => !LAYERS.includes(layerOf(f) ?? ''));
    expect(unplaced, `add their folder to LAYERS in ${path.relative(ROOT, import.meta.filename)} and to the README's map`).toEqual([]);
  });

  it('has no import that runs up a layer or out of src/', () => {
    const internal = files.flatMap((file) => importsOf(file).filter((i) => i.target !== undefined));
    // A parser that found nothing would pass any tree.
    expect(internal.length).toBeGreaterThan(300);
    const wrong = internal.flatMap((i) => {
      const from = LAYERS.indexOf(layerOf(i.file) ?? '');
      const to = LAYERS.indexOf(layerOf(i.target!) ?? '');
      if (to < 0) return [`${i.at} imports '${i.specifier}', outside the layers of src/`];
      return to < from ? [`${i.at} imports '${i.specifier}': ${LAYERS[to]}/ is above ${LAYERS[from]}/`] : [];
    });
    expect(wrong).toEqual([]);
  });

  it("matches the README's map of folders, top to bottom", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const howItWorks = readme.slice(readme.indexOf('## How it works'));
    const block = /```\n([\s\S]*?)```/.exec(howItWorks)?.[1] ?? '';
    const mapped = [...block.matchAll(/^([a-z-]+)\/\s/gm)].map((m) => m[1]);
    const tree = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(mapped).toEqual(LAYERS);
    expect([...tree].sort()).toEqual([...LAYERS].sort());
  });
});
