import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Facts travel as data (README, "How it works"; issue #16): an error's kind, status and code are fields, a
 * delivery's wait is `{ kind, until }`, and no code reads them back out of a message with a regex. This
 * finds every regex applied to a message, reason, detail or said text, or to `describeError(…)`, in src/.
 * Regexes on other text (feed bodies, URLs, codes) are not its business.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const SRC = path.join(ROOT, 'src');

/**
 * The one place allowed, and why: a Redis error reply carries its error name only as the first word of its
 * text (RESP: "-WRONGPASS invalid username-password pair"), and node-redis keeps no separate field, so the
 * store takes that protocol field off there and hands everyone else a `code`.
 */
const ALLOWED = new Set(['store/redis-store.ts#codeOf']);

/**
 * Still reading a library's message: none now. Listed so no new one slips in; the test below fails once one is
 * gone, so the list only shrinks.
 */
const PENDING = new Set<string>([]);

/** Names of text that says what went wrong: message, reason, detail, said, and any …Message/…Reason/…Detail. */
const MESSAGE_NAME = /^(message|reason|detail|said)$|(Message|Reason|Detail)$/;
const REGEX_METHODS = new Set(['match', 'matchAll', 'replace', 'replaceAll', 'search', 'split']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|js)$/.test(entry.name) ? [full] : [];
  });
}

/** Does this expression mention a message text: a name like `message`, `err.reason`, or `describeError(err)`? */
function mentionsMessage(node: ts.Node): boolean {
  if (ts.isIdentifier(node) && (MESSAGE_NAME.test(node.text) || node.text === 'describeError')) return true;
  if (ts.isPropertyAccessExpression(node)) return MESSAGE_NAME.test(node.name.text) || mentionsMessage(node.expression);
  return ts.forEachChild(node, (child) => (mentionsMessage(child) ? true : undefined)) ?? false;
}

function isRegex(node: ts.Node): boolean {
  return node.kind === ts.SyntaxKind.RegularExpressionLiteral || (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp');
}

function enclosingFunction(node: ts.Node): string {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) && n.name) return n.name.getText();
  }
  return '';
}

/** `regex.test(message)`, `regex.exec(err.message)`, `message.replace(/…/, …)`, `detail.match(/…/)` and the like. */
function messageRegexes(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const receiver = node.expression.expression;
      const [first] = node.arguments;
      const readsWithRegex =
        ((method === 'test' || method === 'exec') && first !== undefined && mentionsMessage(first)) ||
        (REGEX_METHODS.has(method) && first !== undefined && isRegex(first) && mentionsMessage(receiver));
      const place = `${path.relative(SRC, file)}#${enclosingFunction(node)}`;
      if (readsWithRegex && !ALLOWED.has(place)) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart());
        found.push(PENDING.has(place) ? place : `${path.relative(ROOT, file)}:${line + 1}: ${node.getText()}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('errors and waits as data', () => {
  it('finds no regex reading a message, reason or detail anywhere in src/', () => {
    const found = sourceFiles(SRC).flatMap((file) => messageRegexes(file, readFileSync(file, 'utf8')));
    expect(found.filter((f) => !PENDING.has(f))).toEqual([]);
    expect(new Set(found), 'a pending place no longer reads a message: drop it from PENDING').toEqual(PENDING);
  });

  it('recognises the ways a message gets read back', () => {
    const cases = [
      "const said = /\\((\\d{3}: [^)]*)\\)/.exec(message)?.[1];",
      "if (/fetch failed/.test(describeError(err))) {}",
      "if (/NOAUTH/i.test(`${code} ${message}`)) {}",
      "const m = err.message.match(/limit/);",
      "const d = failure.detail.replace(/^could not reach X \\((.*)\\)$/, '$1');",
      "const w = delivery.reason?.match(new RegExp('waiting \\\\((\\\\w+)\\\\)'));",
    ];
    for (const code of cases) expect(messageRegexes(path.join(SRC, 'probe.ts'), code), code).toHaveLength(1);
    const fine = ["if (/^(EACCES|EPERM)$/.test(code)) {}", "const t = text.replace(/\\s+/g, ' ');", "const parts = message.split(' ');", 'const ok = /^\\d+$/.test(id);'];
    for (const code of fine) expect(messageRegexes(path.join(SRC, 'probe.ts'), code), code).toEqual([]);
  });
});
