/**
 * Real-browser tests: Debian's Chromium driven by playwright-core (`npx playwright install` cannot work on
 * these machines, see PLATFORMS.md). Screenshots go to test-artifacts/screenshots/ (git-ignored) so a
 * failing run can be looked at afterwards.
 *
 *   const browser = await launchBrowser();
 *   const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
 *   await screenshot(page, 'editor-01-token-form');
 *   await browser.close();
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type LaunchOptions, type Page } from 'playwright-core';
import { REPO } from './cli.js';
import { CHROMIUM_TOOL, toolForSuite } from './real-tools.js';

/**
 * Chromium from PATH or THREADCAST_CHROMIUM; undefined when it is missing (the suites that need it skip,
 * `describe.skipIf(!CHROMIUM_PATH)`), and under CI importing this throws instead.
 */
export const CHROMIUM_PATH = toolForSuite(CHROMIUM_TOOL);

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
] as const;

export const SCREENSHOT_DIR = path.join(REPO, 'test-artifacts', 'screenshots');

export function launchBrowser(opts: Omit<LaunchOptions, 'executablePath' | 'args'> = {}): Promise<Browser> {
  if (CHROMIUM_PATH === undefined) throw new Error('launchBrowser without Chromium: skip the suite with describe.skipIf(!CHROMIUM_PATH)');
  return chromium.launch({ ...opts, executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
}

/** Saves a full-page PNG as test-artifacts/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`screenshot name "${name}": use letters, digits, . _ - only`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** axe-core's source, read once: evaluated in the page through the DevTools protocol, which the page's CSP does not govern. */
let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe-core (WCAG 2.x A and AA, and best practices) on the page as it is now; returns its violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  if ((await page.evaluate('typeof window.axe')) === 'undefined') await page.evaluate(axeSource);
  return page.evaluate<AxeViolation[]>(`(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  })()`);
}

/** The two sizes the editor page is tried at: a laptop and a phone. */
export const DESKTOP = { width: 1366, height: 900 } as const;
export const PHONE = { width: 390, height: 844 } as const;
