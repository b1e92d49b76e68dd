import { existsSync } from "node:fs";
import axe from "axe-core";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";

/**
 * The system's Chromium driven by playwright-core: nothing is downloaded (no `playwright install`),
 * so the browser tests run wherever Debian's chromium package is installed, as .ci/run makes sure.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const required = () => process.env.CI === "true" || process.env.REQUIRE_SERVICES === "1";

/**
 * Like the PostgreSQL and Redis probes in global-setup.ts: CI demands the browser, so a missing one
 * fails the run there instead of silently narrowing it; on a bare machine the browser tests are
 * skipped and this says so loudly. Returns whether the browser tests can run.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const message = `Chromium not found at ${CHROMIUM_PATH} (set CHROMIUM_PATH, or apt-get install chromium).`;
  if (required()) throw new Error(`${message} CI requires it for the browser tests.`);
  process.stderr.write(`\n*** ${message} The browser tests are skipped; CI runs them. ***\n\n`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI and the dev containers run as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ["--no-sandbox"], timeout: 30_000 });
}

export interface TestPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions in the page: any one is a bug. */
  pageErrors: string[];
  /** console.error lines (a refused request logs one too, so tests judge these themselves). */
  consoleErrors: string[];
  /** Every URL the page requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** A fresh context (no storage, no cache shared with other tests) and one page in it. */
export async function openTestPage(browser: Browser, options: BrowserContextOptions = {}): Promise<TestPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(`${error.name}: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  context.on("request", (request) => requests.push(request.url()));
  return { context, page, pageErrors, consoleErrors, requests, close: () => context.close() };
}

export type AxeImpact = "minor" | "moderate" | "serious" | "critical";

export interface AxeViolation {
  id: string;
  impact: AxeImpact | null;
  help: string;
  targets: string[];
}

/**
 * axe-core run against the page as it is now. The console's CSP is `script-src 'self'`, so
 * `page.addScriptTag({ content })` (an inline script) is refused; `page.evaluate` goes through
 * DevTools' Runtime.evaluate, which CSP does not govern, so the page keeps its real policy (no
 * bypassCSP context that would make the run differ from what users get) and axe is defined only
 * when asked for, after the screen rendered, instead of in every document as an init script would.
 */
export async function runAxe(page: Page, impacts: readonly AxeImpact[] = ["serious", "critical"]): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => "axe" in globalThis);
  if (!loaded) await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    // The project's lib has no DOM types; in the page, axe is a global.
    const found = await (globalThis as unknown as { axe: typeof axe }).axe.run({
      resultTypes: ["violations"],
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    });
    return found.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(" ")),
    }));
  });
  return violations.filter((violation) => violation.impact !== null && impacts.includes(violation.impact));
}

/** For an assertion message: one line per violation, with the elements it names. */
export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.targets.slice(0, 5).join(", ")})`).join("\n");
}
