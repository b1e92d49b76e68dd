import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { verifyWebhook } from "../../client/src/index.js";
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
import { makeTestVideo } from "../support/media-fixtures.js";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";

/** Where console/src/api/client.ts keeps the session. */
const SESSION_KEY = "reelbase.console.session";
const ADMIN = { email: "console-admin@example.com", password: "console-admin-password" };
/** A lazily loaded chunk of hls.js, as Vite names it after the package. */
const HLS_CHUNK = /\/assets\/[^/?]*hls[^/?]*\.js(\?|$)/i;
/** Upload, process and play a 2 s clip on two cores, every step bounded. */
const FLOW_TIMEOUT_MS = 150_000;

interface PageStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

interface Session {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: string;
}

interface ProgressSample {
  value: number;
  max: number;
}

/**
 * Records every value a `<progress aria-label=…>` takes from now on, in the page (the console
 * navigates by hash, so the document and the record outlive the screen). A MutationObserver sees
 * each change, even a bar that fills and leaves within one poll interval.
 */
async function recordProgress(page: Page, label: string): Promise<void> {
  await page.evaluate((ariaLabel) => {
    // The project's lib has no DOM types; these are the members used, in the page.
    interface Bar {
      value: number;
      max: number;
    }
    const win = globalThis as unknown as {
      document: { querySelector(selector: string): Bar | null };
      MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void };
      __progress?: Record<string, ProgressSample[]>;
    };
    const samples: ProgressSample[] = [];
    win.__progress = { ...win.__progress, [ariaLabel]: samples };
    new win.MutationObserver(() => {
      const bar = win.document.querySelector(`progress[aria-label="${ariaLabel}"]`);
      const last = samples.at(-1);
      if (bar && (last?.value !== bar.value || last.max !== bar.max)) samples.push({ value: bar.value, max: bar.max });
    }).observe(win.document, { subtree: true, childList: true, attributes: true });
  }, label);
}

function recordedProgress(page: Page, label: string): Promise<ProgressSample[]> {
  return page.evaluate(
    (ariaLabel) => (globalThis as unknown as { __progress?: Record<string, ProgressSample[]> }).__progress?.[ariaLabel] ?? [],
    label,
  );
}

/** Where the console is, as "#/videos/<id>". */
function routeOf(page: Page): string {
  return new URL(page.url()).hash;
}

/**
 * The console in a real browser against the real `npm start` (embedded PGlite, local storage,
 * in-process jobs): what a user clicks, with the accessible names the screens promise.
 */
describe.runIf(chromiumAvailable())("the web console in Chromium", () => {
  let sandbox: string;
  let api: ApiProcess;
  let browser: Browser;
  let receiver: WebhookReceiver;
  const pages: TestPage[] = [];

  beforeAll(async () => {
    sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-console-e2e-"));
    receiver = await startWebhookReceiver();
    [api, browser] = await Promise.all([
      startApiProcess({
        NODE_ENV: "test",
        JWT_SECRET: "e2e-secret-that-is-long-enough-for-hs256-0123456789",
        PGLITE_DATA_DIR: IN_MEMORY_PGLITE,
        LOCAL_STORAGE_DIR: path.join(sandbox, "objects"),
        ARGON2_MEMORY_KIB: "1024",
        ARGON2_TIME_COST: "1",
        // The test's receiver is on loopback, over plain http.
        WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      }),
      launchChromium(),
    ]);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await api?.kill();
    await receiver?.close();
    if (sandbox) await rm(sandbox, { recursive: true, force: true });
  });

  // Closed after each test (a video page keeps polling, a player keeps playing); their errors are kept for the last test.
  let openNow: TestPage[] = [];
  afterEach(async () => {
    await Promise.all(openNow.map((opened) => opened.close().catch(() => undefined)));
    openNow = [];
  });

  async function open(): Promise<TestPage> {
    const opened = await openTestPage(browser);
    pages.push(opened);
    openNow.push(opened);
    return opened;
  }

  /** A new user made over HTTP, or the bootstrap admin signed in, as a session for signedInPage. */
  async function sessionOf(who: string | { email: string; password: string }): Promise<Session> {
    const [procedure, input] =
      typeof who === "string" ? ["auth.register", { email: uniqueEmail(who), password: PASSWORD }] : ["auth.login", who];
    const response = await fetch(`${api.url}/trpc/${procedure}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(input),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { result: { data: Session } }).result.data;
  }

  /** A page whose console finds the session where it keeps one, before its first script runs. */
  async function signedInPage(who: string | { email: string; password: string }): Promise<TestPage & { session: Session }> {
    const session = await sessionOf(who);
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
    expect(await page.getByRole("link", { name: "Admin" }).count(), "only admins see Admin").toBe(0);

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

  it("has no serious or critical axe violations on the video list, credits and generate screens", async () => {
    const { page } = await signedInPage("console-axe");
    await page.goto(`${api.url}/#/videos`);
    await page.getByRole("heading", { name: "Videos" }).waitFor({ timeout: 15_000 });
    await page.getByTestId("balance").waitFor({ timeout: 15_000 });
    await expectAccessible(page, "the video list");
    for (const [route, title] of [
      ["credits", "Credits"],
      ["generate", "Generate a video"],
    ] as const) {
      await page.goto(`${api.url}/#/${route}`);
      await page.getByRole("heading", { level: 1, name: title }).waitFor({ timeout: 15_000 });
      await expectAccessible(page, `#/${route}`);
    }
  });

  it(
    "uploads a real file with byte progress, processes it after the cost confirm, and plays it with a quality menu; hls.js loads only on Play",
    async () => {
      const { page, requests } = await signedInPage("console-upload");
      const file = await makeTestVideo(sandbox, { seconds: 2, width: 320, height: 180 });
      const { size } = await stat(file);
      await page.goto(`${api.url}/#/upload`);
      await page.getByRole("heading", { name: "Upload a video" }).waitFor({ timeout: 15_000 });
      await expectAccessible(page, "the upload page");
      await page.getByLabel("Title").fill("Browser upload");
      await page.getByLabel("Video file").setInputFiles(file);
      await recordProgress(page, "Upload progress");
      await page.getByRole("button", { name: "Upload", exact: true }).click();

      await page.waitForURL(/#\/videos\/[^/]+$/, { timeout: 60_000 });
      const uploaded = await recordedProgress(page, "Upload progress");
      expect(uploaded.at(-1), `upload progress ${JSON.stringify(uploaded)}`).toEqual({ value: size, max: size });
      const videoId = routeOf(page).split("/").at(-1) ?? "";
      await page.getByRole("heading", { level: 1, name: "Browser upload" }).waitFor({ timeout: 15_000 });
      await expect.poll(() => page.getByTestId("video-status").textContent(), { timeout: 30_000 }).toBe("UPLOADED");
      expect(
        requests.filter((url) => HLS_CHUNK.test(url)),
        "no hls.js before Play",
      ).toEqual([]);

      // The ladder's confirm first, declined: Cancel leaves nothing charged and the panel gone.
      await page.getByRole("button", { name: "Order ladder" }).click({ timeout: 30_000 });
      await expect.poll(() => page.getByTestId("cost").textContent(), { timeout: 15_000 }).toMatch(/^\d+$/);
      await expect.poll(() => page.getByTestId("balance-before").textContent(), { timeout: 15_000 }).toMatch(/^\d+$/);
      await page.getByRole("button", { name: "Cancel", exact: true }).click();
      await expect.poll(() => page.getByTestId("cost").count(), { timeout: 5_000 }).toBe(0);

      await page.getByRole("button", { name: "Process", exact: true }).click({ timeout: 30_000 });
      await expect.poll(() => page.getByTestId("cost").textContent(), { timeout: 15_000 }).toMatch(/^\d+$/);
      await expect.poll(() => page.getByTestId("balance-before").textContent(), { timeout: 15_000 }).toMatch(/^\d+$/);
      const cost = Number(await page.getByTestId("cost").textContent());
      const before = Number(await page.getByTestId("balance-before").textContent());
      expect(cost).toBeGreaterThan(0);
      expect(before).toBeGreaterThanOrEqual(cost);
      await expect(page.getByTestId("balance").textContent()).resolves.toBe(`${before} credits`);
      await expectAccessible(page, "the video page with the cost confirm");
      await recordProgress(page, "Job progress");
      await page.getByRole("button", { name: "Confirm" }).click();

      await expect.poll(() => page.getByTestId("video-status").textContent(), { timeout: 90_000 }).toBe("READY");
      const job = await recordedProgress(page, "Job progress");
      const values = new Set(job.map((sample) => sample.value));
      expect(values.size >= 2 || values.has(100), `job progress ${JSON.stringify(job)}`).toBe(true);
      await expect.poll(() => page.getByTestId("balance").textContent(), { timeout: 15_000 }).toBe(`${before - cost} credits`);
      await expectAccessible(page, "the video page");

      await page.getByRole("button", { name: "Play" }).click({ timeout: 15_000 });
      const player = page.getByTestId("player");
      await player.waitFor({ timeout: 15_000 });
      await page.waitForFunction(
        () => {
          const video = (
            globalThis as unknown as { document: { querySelector(s: string): { currentTime: number } | null } }
          ).document.querySelector('video[data-testid="player"]');
          return (video?.currentTime ?? 0) > 0.5;
        },
        undefined,
        { timeout: 30_000, polling: 100 },
      );
      await expect.poll(() => page.getByLabel("Quality").locator("option").count(), { timeout: 15_000 }).toBeGreaterThan(1);
      expect(requests.filter((url) => HLS_CHUNK.test(url)).length, "hls.js is fetched once Play is clicked").toBeGreaterThan(0);
      expect(routeOf(page)).toBe(`#/videos/${videoId}`);
    },
    FLOW_TIMEOUT_MS,
  );

  it("creates an API key, shows it once, and the key reads the API over HTTP", async () => {
    const { page } = await signedInPage("console-keys");
    await page.goto(`${api.url}/#/keys`);
    await page.getByRole("heading", { name: "API keys" }).waitFor({ timeout: 15_000 });
    await expectAccessible(page, "the API keys page");
    await page.getByLabel("Name", { exact: true }).fill("browser test");
    await page.getByLabel("videos:read").check();
    await page.getByRole("button", { name: "Create key" }).click();
    const key = (await page.getByTestId("new-api-key").textContent({ timeout: 15_000 }))?.trim() ?? "";
    expect(key.length).toBeGreaterThan(20);
    await expectAccessible(page, "the API keys page with a new key");

    // auth.* is for sessions only; videos.list is what a videos:read key is for.
    const listed = await fetch(`${api.url}/trpc/videos.list?input=${encodeURIComponent(JSON.stringify({ limit: 1 }))}`, {
      headers: { authorization: `ApiKey ${key}` },
    });
    expect(listed.status).toBe(200);

    await page.getByRole("link", { name: "Videos", exact: true }).click();
    await page.getByRole("heading", { name: "Videos" }).waitFor({ timeout: 15_000 });
    await page.getByRole("link", { name: "API keys" }).click();
    await page.getByRole("heading", { name: "API keys" }).waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByRole("rowheader", { name: "browser test" }).count(), { timeout: 15_000 }).toBe(1);
    expect(await page.getByTestId("new-api-key").count()).toBe(0);
    expect(await page.content()).not.toContain(key);
  });

  it("generates a video from a script and lands on its page with the job", async () => {
    const { page } = await signedInPage("console-generate");
    await page.goto(`${api.url}/#/generate`);
    await page.getByRole("heading", { name: "Generate a video" }).waitFor({ timeout: 15_000 });
    await page.getByLabel("Title").fill("Generated in the browser");
    await page.getByLabel("Script").fill("Hello from the console test. This is a short script.");
    await page.getByRole("button", { name: "Generate" }).click({ timeout: 15_000 });
    await page.waitForURL(/#\/videos\/[^/]+$/, { timeout: 30_000 });
    await page.getByRole("heading", { level: 1, name: "Generated in the browser" }).waitFor({ timeout: 15_000 });
    const job = page.getByTestId("job");
    await job.first().waitFor({ timeout: 15_000 });
    await expect(job.first().textContent()).resolves.toMatch(/Generation/);
    // Not waited for: a cancel stops the render, which would otherwise take the CPU from the next tests.
    const cancel = page.getByRole("button", { name: "Cancel job" });
    if (await cancel.isVisible()) await cancel.click();
  });

  it("creates a webhook, shows its secret once, and Send test and Redeliver reach the endpoint signed with it", async () => {
    const { page } = await signedInPage("console-webhooks");
    const url = `${receiver.url}/console-test`;
    await page.goto(`${api.url}/#/webhooks`);
    await page.getByRole("heading", { level: 1, name: "Webhooks" }).waitFor({ timeout: 15_000 });
    await page.getByLabel("Endpoint URL").fill(url);
    await page.getByLabel("video.ready").check();
    await page.getByRole("button", { name: "Create webhook" }).click();
    const secret = (await page.getByTestId("webhook-secret").textContent({ timeout: 15_000 }))?.trim() ?? "";
    expect(secret).not.toBe("");
    await expectAccessible(page, "the webhooks page with a new secret");

    await page.getByRole("link", { name: "Open the new webhook" }).click();
    await page.getByRole("button", { name: "Send test" }).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId("webhook-secret").count(), "the secret is shown only right after creation").toBe(0);
    await page.getByRole("button", { name: "Send test" }).click({ timeout: 15_000 });
    const fromConsole = (request: { path: string }) => request.path === "/console-test";
    const [test] = await receiver.waitFor(fromConsole, 1, 30_000);
    if (!test) throw new Error("no test delivery");
    await expect(verifyWebhook(secret, test.headers, test.body)).resolves.toMatchObject({ type: "webhook.test" });
    const deliveries = page.getByTestId("webhook-deliveries");
    await expect.poll(() => deliveries.textContent(), { timeout: 30_000 }).toMatch(/SUCCEEDED/);
    await expectAccessible(page, "a webhook with its delivery log");

    await deliveries.getByRole("button", { name: "Redeliver" }).first().click();
    const [, again] = await receiver.waitFor(fromConsole, 2, 30_000);
    if (!again) throw new Error("no redelivery");
    expect(again.headers["webhook-id"]).toBe(test.headers["webhook-id"]);
    await expect(verifyWebhook(secret, again.headers, again.body)).resolves.toMatchObject({ type: "webhook.test" });
  });

  it("shows an admin the Admin link and screen, with no serious or critical axe violations", async () => {
    const { page } = await signedInPage(ADMIN);
    await page.goto(`${api.url}/#/videos`);
    await page.getByRole("link", { name: "Admin" }).click({ timeout: 15_000 });
    await page.getByRole("heading", { level: 1, name: "Admin" }).waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator("main").textContent(), { timeout: 15_000 }).toContain(ADMIN.email);
    await expectAccessible(page, "#/admin");
  });

  it("reports no uncaught exception in any page", () => {
    expect(pages.flatMap((opened) => opened.pageErrors)).toEqual([]);
  });
});
