import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IN_MEMORY_PGLITE } from "../../server/src/database/open-database.js";
import { startApiProcess, type ApiProcess } from "../support/api-process.js";
import {
  chromiumAvailable,
  describeViolations,
  launchChromium,
  openTestPage,
  runAxe,
  type TestPage,
} from "../support/browser.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";

/** Where console/src/api/client.ts keeps the session. */
const SESSION_KEY = "reelbase.console.session";
/** A lazily loaded chunk of hls.js, as Vite names it after the package. */
const HLS_CHUNK = /\/assets\/[^/?]*hls[^/?]*\.js(\?|$)/i;

interface PageStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

interface Session {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: string;
}

/**
 * The console in a real browser against the real `npm start` (embedded PGlite, local storage,
 * in-process jobs): what a user clicks, with the accessible names the screens promise.
 */
describe.runIf(chromiumAvailable())("the web console in Chromium", () => {
  let sandbox: string;
  let api: ApiProcess;
  let browser: Browser;
  const pages: TestPage[] = [];

  beforeAll(async () => {
    sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-console-e2e-"));
    [api, browser] = await Promise.all([
      startApiProcess({
        NODE_ENV: "test",
        JWT_SECRET: "e2e-secret-that-is-long-enough-for-hs256-0123456789",
        PGLITE_DATA_DIR: IN_MEMORY_PGLITE,
        LOCAL_STORAGE_DIR: path.join(sandbox, "objects"),
        ARGON2_MEMORY_KIB: "1024",
        ARGON2_TIME_COST: "1",
      }),
      launchChromium(),
    ]);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await api?.kill();
    if (sandbox) await rm(sandbox, { recursive: true, force: true });
  });

  async function open(): Promise<TestPage> {
    const opened = await openTestPage(browser);
    pages.push(opened);
    return opened;
  }

  /** A user made over HTTP, its session put where the console looks for it before the first script runs. */
  async function signedInPage(label: string): Promise<TestPage & { session: Session }> {
    const response = await fetch(`${api.url}/trpc/auth.register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: uniqueEmail(label), password: PASSWORD }),
    });
    expect(response.status).toBe(200);
    const session = ((await response.json()) as { result: { data: Session } }).result.data;
    const opened = await open();
    // Only when absent: the console rotates the refresh token, and putting the first one back on a
    // reload would replay a used token.
    await opened.context.addInitScript(
      ([key, value]) => {
        // The project's lib has no DOM types; this runs in the page.
        const { localStorage } = globalThis as unknown as { localStorage: PageStorage };
        if (!localStorage.getItem(key)) localStorage.setItem(key, value);
      },
      [SESSION_KEY, JSON.stringify(session)] as const,
    );
    return { ...opened, session };
  }

  async function expectAccessible(page: Page, screen: string): Promise<void> {
    const violations = await runAxe(page);
    expect(violations, `axe on ${screen}:\n${describeViolations(violations)}`).toEqual([]);
  }

  it("signs up, shows the video list, and stays signed in across a reload; the first load fetches no hls.js", async () => {
    const { page, requests } = await open();
    await page.goto(api.url);
    await page.getByRole("button", { name: "Create an account" }).click();
    await page.getByLabel("Email").fill(uniqueEmail("console-signup"));
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel("Name (optional)").fill("Console User");
    await page.locator("form").getByRole("button", { name: "Create an account" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Videos" }).isVisible(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => page.getByTestId("balance").textContent(), { timeout: 15_000 }).toMatch(/^\d+ credits$/);
    await page.getByRole("button", { name: "Sign out" }).waitFor({ timeout: 5_000 });

    await page.reload();
    await page.getByRole("heading", { name: "Videos" }).waitFor({ timeout: 15_000 });
    await expect(page.getByRole("button", { name: "Sign out" }).isVisible()).resolves.toBe(true);
    expect(
      requests.filter((url) => HLS_CHUNK.test(url)),
      "hls.js is loaded only when a player opens",
    ).toEqual([]);
  });

  it("shows the server's message and a correlation id for a wrong password", async () => {
    const email = uniqueEmail("console-wrong");
    const registered = await fetch(`${api.url}/trpc/auth.register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(registered.status).toBe(200);
    const { page } = await open();
    await page.goto(api.url);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not the password at all");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor({ timeout: 15_000 });
    await expect(alert.textContent()).resolves.toMatch(/invalid email or password/i);
    const correlationId = (await page.getByTestId("correlation-id").textContent())?.trim() ?? "";
    expect(correlationId).toMatch(/^[\w-]{8,}$/);
    await expectAccessible(page, "the sign-in page with an error");
  });

  it("has no serious or critical axe violations on the sign-in page", async () => {
    const { page } = await open();
    await page.goto(api.url);
    await page.getByRole("button", { name: "Sign in" }).waitFor({ timeout: 15_000 });
    await expectAccessible(page, "the sign-in page");
    await page.getByRole("button", { name: "Create an account" }).click();
    await page.getByLabel("Name (optional)").waitFor({ timeout: 5_000 });
    await expectAccessible(page, "the sign-up form");
  });

  it("has no serious or critical axe violations on the signed-in screens", async () => {
    const { page } = await signedInPage("console-axe");
    await page.goto(`${api.url}/#/videos`);
    await page.getByRole("heading", { name: "Videos" }).waitFor({ timeout: 15_000 });
    await page.getByTestId("balance").waitFor({ timeout: 15_000 });
    await expectAccessible(page, "the video list");
  });

  it("reports no uncaught exception in any page", () => {
    expect(pages.flatMap((opened) => opened.pageErrors)).toEqual([]);
  });
});
