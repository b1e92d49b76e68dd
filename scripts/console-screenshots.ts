/**
 * Screenshots of the web console's main screens for the docs, taken in Debian's Chromium against a
 * throwaway `npm start` (embedded PGlite and local storage in a temp folder) with a little seeded
 * data: a processed video (its ladder), a draft, an API key, a webhook that received deliveries.
 *
 *   npx tsx scripts/console-screenshots.ts [--out docs/screenshots]
 *
 * Each is the 1280×800 viewport, as a first look at the screen would be; PNGs, overwritten.
 */
import { mkdir, mkdtemp, rm, stat, truncate, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { createReelbaseClient, createTokenStore, type ReelbaseClient, type ReelbaseTokens } from "../client/src/index.js";
import { startApiProcess, type ApiProcess } from "../test/support/api-process.js";
import { launchChromium, openTestPage } from "../test/support/browser.js";
import { uploadOverHttp } from "../test/support/http-processing.js";
import { makeTestVideo } from "../test/support/media-fixtures.js";

const REPO_ROOT = path.resolve(import.meta.dirname, "..");
const outIndex = process.argv.indexOf("--out");
const OUT_DIR = path.resolve(REPO_ROOT, outIndex >= 0 ? (process.argv[outIndex + 1] ?? "") : "docs/screenshots");
const ADMIN = { email: "admin@example.com", password: "screenshots-admin-password" };
const SESSION_KEY = "reelbase.console.session";
const WAIT_MS = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A webhook receiver on loopback that accepts everything: the delivery log shows successes. */
function startReceiver(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    request.resume();
    request.once("end", () => response.writeHead(204).end());
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({ url: `http://127.0.0.1:${port}/reelbase-events`, server });
    }),
  );
}

async function login(url: string): Promise<ReelbaseTokens> {
  const anonymous = createReelbaseClient({ url });
  return anonymous.auth.login.mutate(ADMIN);
}

async function untilReady(client: ReelbaseClient, id: string): Promise<void> {
  const deadline = Date.now() + 5 * 60_000;
  while (Date.now() < deadline) {
    const video = await client.videos.get.query({ id });
    if (video.status === "READY") return;
    if (video.status === "FAILED") throw new Error(`video ${id} failed to process`);
    await sleep(1_000);
  }
  throw new Error(`video ${id} not READY within 5 minutes`);
}

interface Seeded {
  videoId: string;
  webhookId: string;
}

async function seed(client: ReelbaseClient, sandbox: string, hookUrl: string): Promise<Seeded> {
  const webhook = await client.webhooks.create.mutate({
    url: hookUrl,
    events: ["video.uploaded", "video.ready", "job.succeeded", "job.failed"],
    description: "Build pipeline",
  });
  await client.apiKeys.create.mutate({ name: "CI uploader", scopes: ["videos:read", "videos:write", "jobs:read"] });
  await client.apiKeys.create.mutate({ name: "Analytics export", scopes: ["videos:read"] });
  await client.videos.create.mutate({ title: "Product demo (draft)" });
  const file = await makeTestVideo(sandbox, { seconds: 6, width: 1280, height: 720 });
  const videoId = await uploadOverHttp(client, file, "Launch teaser");
  await client.videos.processLadder.mutate({ id: videoId, idempotencyKey: `screenshots-${Date.now()}` });
  await untilReady(client, videoId);
  await client.webhooks.test.mutate({ id: webhook.id });
  return { videoId, webhookId: webhook.id };
}

async function shoot(page: Page, name: string): Promise<void> {
  // Fonts and the last layout settle; the caret and animations are not in the picture.
  await page.evaluate(() => (globalThis as unknown as { document: { fonts: { ready: Promise<unknown> } } }).document.fonts.ready);
  const file = path.join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, animations: "disabled", caret: "hide" });
  const { size } = await stat(file);
  process.stderr.write(`[screenshots] ${path.relative(REPO_ROOT, file)}: ${Math.round(size / 1024)} KiB\n`);
}

async function heading(page: Page, name: string): Promise<void> {
  await page.getByRole("heading", { level: 1, name }).waitFor({ timeout: WAIT_MS });
  // A hash route is the same document, so "network idle" says nothing here; the screen's own placeholders do.
  await page
    .waitForFunction(
      () =>
        !(
          (
            globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }
          ).document.querySelector("main")?.textContent ?? ""
        ).includes("Loading"),
      undefined,
      { timeout: 15_000 },
    )
    .catch(() => process.stderr.write(`[screenshots] ${name}: still loading after 15 s, taken as it is\n`));
  await sleep(200);
}

/** The upload page halfway: the first 8 MiB part goes through, the next one is held until the picture is taken. */
async function uploadInProgress(page: Page, sandbox: string, url: string): Promise<void> {
  // Only the size matters for the picture (zeros, sparse): the session is cancelled before any complete.
  const big = path.join(sandbox, "holiday-footage.mp4");
  await writeFile(big, "");
  await truncate(big, 20 * 1024 ** 2);
  let parts = 0;
  const held: (() => void)[] = [];
  await page.route("**/files/**", async (route) => {
    if (route.request().method() !== "PUT") return route.continue();
    parts += 1;
    if (parts === 1) return route.continue();
    await new Promise<void>((release) => held.push(release));
    await route.abort().catch(() => undefined);
  });
  await page.goto(`${url}/#/upload`);
  await heading(page, "Upload a video");
  await page.getByLabel("Title").fill("Holiday footage");
  await page.getByLabel("Video file").setInputFiles(big);
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  await page.waitForFunction(
    () => {
      const bar = (
        globalThis as unknown as { document: { querySelector(s: string): { value: number; max: number } | null } }
      ).document.querySelector('progress[aria-label="Upload progress"]');
      return bar !== null && bar.value > 0 && bar.value < bar.max;
    },
    undefined,
    { timeout: WAIT_MS },
  );
  await sleep(300);
  await shoot(page, "upload-in-progress");
  for (const release of held) release();
  await page.unroute("**/files/**");
  const cancel = page.getByRole("button", { name: "Cancel upload" });
  if (await cancel.isVisible()) await cancel.click();
}

async function screens(browser: Browser, url: string, tokens: ReelbaseTokens, seeded: Seeded, sandbox: string): Promise<void> {
  const signedOut = await openTestPage(browser);
  await signedOut.page.goto(url);
  await signedOut.page.getByRole("button", { name: "Sign in" }).waitFor({ timeout: WAIT_MS });
  await shoot(signedOut.page, "sign-in");
  await signedOut.close();

  const { page, context, pageErrors } = await openTestPage(browser);
  await context.addInitScript(
    ([key, value]) => {
      const { localStorage } = globalThis as unknown as {
        localStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void };
      };
      if (!localStorage.getItem(key)) localStorage.setItem(key, value);
    },
    [SESSION_KEY, JSON.stringify(tokens)] as const,
  );
  await page.goto(`${url}/#/videos`);
  await heading(page, "Videos");
  await shoot(page, "videos");

  await page.goto(`${url}/#/videos/${seeded.videoId}`);
  await heading(page, "Launch teaser");
  await shoot(page, "video");
  await page.getByRole("button", { name: "Play" }).click({ timeout: WAIT_MS });
  await page.waitForFunction(
    () =>
      ((
        globalThis as unknown as { document: { querySelector(s: string): { currentTime: number } | null } }
      ).document.querySelector('video[data-testid="player"]')?.currentTime ?? 0) > 1.5,
    undefined,
    { timeout: WAIT_MS },
  );
  await page.getByTestId("player").evaluate((video) => (video as unknown as { pause(): void }).pause());
  // The player with its quality menu below it, rather than the top of the page again.
  await page
    .getByRole("heading", { name: "Playback" })
    .evaluate((element) => (element as unknown as { scrollIntoView(options: object): void }).scrollIntoView({ block: "start" }));
  await shoot(page, "video-player");

  await uploadInProgress(page, sandbox, url);

  await page.goto(`${url}/#/keys`);
  await heading(page, "API keys");
  await shoot(page, "api-keys");

  await page.goto(`${url}/#/webhooks`);
  await heading(page, "Webhooks");
  await shoot(page, "webhooks");
  await page.goto(`${url}/#/webhooks/${seeded.webhookId}`);
  await page.getByTestId("webhook-deliveries").waitFor({ timeout: WAIT_MS });
  await page.waitForLoadState("networkidle", { timeout: WAIT_MS }).catch(() => undefined);
  await shoot(page, "webhook");

  await page.goto(`${url}/#/credits`);
  await heading(page, "Credits");
  await shoot(page, "credits");

  await page.goto(`${url}/#/admin`);
  await heading(page, "Admin");
  await shoot(page, "admin");
  if (pageErrors.length > 0) throw new Error(`uncaught exceptions in the console:\n${pageErrors.join("\n")}`);
}

async function main(): Promise<void> {
  await mkdir(OUT_DIR, { recursive: true });
  const sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-screenshots-"));
  const receiver = await startReceiver();
  let api: ApiProcess | undefined;
  let browser: Browser | undefined;
  try {
    api = await startApiProcess({
      NODE_ENV: "development",
      JWT_SECRET: "screenshots-only-secret-0123456789abcdef-0123456789",
      ACCESS_TOKEN_TTL_SECONDS: "3600",
      PGLITE_DATA_DIR: path.join(sandbox, "pg"),
      LOCAL_STORAGE_DIR: path.join(sandbox, "objects"),
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
    });
    // Two sessions: the seeding client and the browser each rotate their own refresh token.
    const store = createTokenStore(await login(api.url));
    const client = createReelbaseClient({ url: api.url, auth: { type: "bearer", store } });
    process.stderr.write("[screenshots] seeding: a webhook, two keys, a draft, a processed ladder\n");
    const seeded = await seed(client, sandbox, receiver.url);
    browser = await launchChromium();
    await screens(browser, api.url, await login(api.url), seeded, sandbox);
  } finally {
    await browser?.close();
    await api?.kill();
    receiver.server.close();
    await rm(sandbox, { recursive: true, force: true });
  }
}

await main();
