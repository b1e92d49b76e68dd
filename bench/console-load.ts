/**
 * What the web console costs a browser: bytes over the wire and time to a usable video list, in
 * Debian's Chromium (playwright-core, nothing downloaded) against `npm start` on the embedded
 * defaults (fresh PGlite and storage folders):
 *
 *   npm run bench -- console-load [--rounds N]
 *
 * Each round opens a fresh browser context (empty HTTP cache) already signed in (the session put in
 * localStorage by an init script, as the console keeps it), loads `#/videos`, then opens the first
 * video's page without playing it: the JS counted there is everything before a player opens. A
 * second page in the same context loads the list again: the warm cache. Bytes are Chromium's own
 * count of what it received per response (CDP Network.loadingFinished encodedDataLength: compressed
 * body plus headers), with the Accept-Encoding it sends by itself. "Interactive" is the page's own
 * clock (performance.now(), zero at navigation start) when the list heading is visible and the
 * first video link takes focus, noticed by a MutationObserver installed before any script runs.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import { startApiProcess, type ApiProcess } from "../test/support/api-process.js";
import { CHROMIUM_PATH, launchChromium } from "../test/support/browser.js";
import { BENCH_ENV } from "./lib/in-process-api.js";
import { benchCommand, machineFacts, progress, table } from "./lib/markdown.js";
import { median } from "./lib/pinned-processes.js";
import { TrpcHttp } from "./lib/trpc-http.js";

const flag = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const ROUNDS = flag("--rounds", 7);
/** The budget: JavaScript over the wire before the player opens (1 KB = 1,000 bytes, the strict reading). */
const JS_BUDGET_BYTES = 200_000;
const SESSION_KEY = "reelbase.console.session";
const WAIT_MS = 30_000;

interface StoredSession {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: string;
}

interface Transfer {
  jsBytes: number;
  /** The same scripts decoded: what the bundle weighs once unpacked. */
  jsDecodedBytes: number;
  totalBytes: number;
  requests: number;
  /** Content-Encoding of each script response, e.g. { br: 2 }. */
  jsEncodings: Record<string, number>;
  acceptEncoding: string | undefined;
}

/** Sums what Chromium received per response from the moment it is created until `read()`. */
async function recordTransfer(context: BrowserContext, page: Page): Promise<() => Transfer> {
  const cdp: CDPSession = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  const scripts = new Map<string, string>();
  const decoded = new Map<string, number>();
  const transfer: Transfer = {
    jsBytes: 0,
    jsDecodedBytes: 0,
    totalBytes: 0,
    requests: 0,
    jsEncodings: {},
    acceptEncoding: undefined,
  };
  cdp.on("Network.requestWillBeSentExtraInfo", (event) => {
    const header = Object.entries(event.headers).find(([name]) => name.toLowerCase() === "accept-encoding");
    if (header && transfer.acceptEncoding === undefined) transfer.acceptEncoding = String(header[1]);
  });
  cdp.on("Network.responseReceived", (event) => {
    if (event.type !== "Script") return;
    const encoding = Object.entries(event.response.headers).find(([name]) => name.toLowerCase() === "content-encoding");
    scripts.set(event.requestId, encoding ? String(encoding[1]) : "identity");
  });
  cdp.on("Network.dataReceived", (event) => decoded.set(event.requestId, (decoded.get(event.requestId) ?? 0) + event.dataLength));
  cdp.on("Network.loadingFinished", (event) => {
    transfer.totalBytes += event.encodedDataLength;
    transfer.requests += 1;
    const encoding = scripts.get(event.requestId);
    if (encoding === undefined) return;
    transfer.jsBytes += event.encodedDataLength;
    transfer.jsDecodedBytes += decoded.get(event.requestId) ?? 0;
    // A script answered from the cache costs nothing on the wire and says nothing about compression.
    if (event.encodedDataLength > 0) transfer.jsEncodings[encoding] = (transfer.jsEncodings[encoding] ?? 0) + 1;
  });
  return () => ({ ...transfer, jsEncodings: { ...transfer.jsEncodings } });
}

/** Runs in the page before its scripts: records when the list first became usable (see the header). */
function watchListReady(): void {
  interface Probe {
    querySelector(selector: string): ProbeElement | null;
    activeElement: unknown;
  }
  interface ProbeElement {
    textContent: string | null;
    checkVisibility(): boolean;
    focus(): void;
  }
  // The project's lib has no DOM types; these are the few members used.
  const page = globalThis as unknown as {
    document: Probe;
    MutationObserver: new (callback: (records: unknown, self: { disconnect(): void }) => void) => {
      observe(target: unknown, options: object): void;
    };
    performance: { now(): number };
    __listReadyAt?: number;
  };
  // No named function in here: tsx (esbuild keepNames) would wrap it in a __name() call the page lacks.
  const observer = new page.MutationObserver((_records, self) => {
    const heading = page.document.querySelector("main h1");
    const link = page.document.querySelector('main a[href^="#/videos/"]');
    if (heading?.textContent !== "Videos" || !heading.checkVisibility() || !link) return;
    link.focus();
    if (page.document.activeElement !== link) return;
    page.__listReadyAt = page.performance.now();
    self.disconnect();
  });
  observer.observe(page.document, { childList: true, subtree: true, attributes: true });
}

async function listReadyAt(page: Page): Promise<number> {
  const handle = await page.waitForFunction(() => (globalThis as { __listReadyAt?: number }).__listReadyAt, undefined, {
    timeout: WAIT_MS,
  });
  return Number(await handle.jsonValue());
}

interface Round {
  cold: Transfer;
  coldReadyMs: number;
  beforePlayer: Transfer;
  warm: Transfer;
  warmReadyMs: number;
}

async function measureRound(context: BrowserContext, url: string): Promise<Round> {
  const page = await context.newPage();
  const readCold = await recordTransfer(context, page);
  await page.goto(`${url}/#/videos`, { timeout: WAIT_MS });
  const coldReadyMs = await listReadyAt(page);
  // Settled: the list's own queries answered, nothing else in flight.
  await page.waitForLoadState("networkidle", { timeout: WAIT_MS });
  const cold = readCold();
  await page.locator('main a[href^="#/videos/"]').first().click({ timeout: WAIT_MS });
  // The video page's own heading, not the list's still on screen while its chunk loads.
  await page.waitForFunction(
    () => {
      const { document } = globalThis as unknown as {
        document: { querySelector(selector: string): { textContent: string | null } | null };
      };
      const heading = document.querySelector("main h1")?.textContent;
      return heading !== undefined && heading !== null && heading !== "Videos";
    },
    undefined,
    { timeout: WAIT_MS },
  );
  await page.waitForLoadState("networkidle", { timeout: WAIT_MS });
  const beforePlayer = readCold();
  await page.close();

  const again = await context.newPage();
  const readWarm = await recordTransfer(context, again);
  await again.goto(`${url}/#/videos`, { timeout: WAIT_MS });
  const warmReadyMs = await listReadyAt(again);
  await again.waitForLoadState("networkidle", { timeout: WAIT_MS });
  const warm = readWarm();
  await again.close();
  return { cold, coldReadyMs, beforePlayer, warm, warmReadyMs };
}

const kb = (bytes: number) => (bytes / 1000).toFixed(1);
const encodings = (transfer: Transfer) =>
  Object.entries(transfer.jsEncodings)
    .map(([name, count]) => `${name} ×${count}`)
    .join(", ") || "—";

async function main(): Promise<void> {
  // machineFacts reads the load when it is called, at the end; the load the run started under is this.
  const loadAtStart = loadavg();
  const sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-bench-console-"));
  let api: ApiProcess | undefined;
  let browser: Browser | undefined;
  try {
    progress("starting the API (npm start, embedded defaults)");
    api = await startApiProcess(
      {
        ...BENCH_ENV,
        // info: startApiProcess waits for the "listening on" line.
        LOG_LEVEL: "info",
        PGLITE_DATA_DIR: path.join(sandbox, "pg"),
        LOCAL_STORAGE_DIR: path.join(sandbox, "objects"),
      },
      180_000,
    );
    browser = await launchChromium();
    const http = new TrpcHttp(api.url);
    const { accessToken, refreshToken, accessTokenExpiresAt } = await http.mutation<StoredSession>("auth.register", {
      email: `bench-console-${Date.now()}@example.com`,
      password: "bench-password-1234",
    });
    http.authenticate(accessToken);
    await http.mutation("videos.create", { title: "Console load bench" });
    // The access token lives an hour (BENCH_ENV): no round refreshes it, so every context can share the pair.
    const stored = JSON.stringify({ accessToken, refreshToken, accessTokenExpiresAt });

    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      // Every round's context is new, so its storage is empty: the session goes in before the console reads it.
      await context.addInitScript(
        ([key, value]) =>
          (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem(key, value),
        [SESSION_KEY, stored] as const,
      );
      await context.addInitScript(watchListReady);
      try {
        const measured = await measureRound(context, api.url);
        rounds.push(measured);
        progress(
          `round ${round + 1}/${ROUNDS}: cold ${Math.round(measured.coldReadyMs)} ms, JS ${kb(measured.beforePlayer.jsBytes)} KB; warm ${Math.round(measured.warmReadyMs)} ms`,
        );
      } finally {
        await context.close();
      }
    }

    const med = (pick: (round: Round) => number) => median(rounds.map(pick));
    const first = rounds[0];
    if (!first) throw new Error("no round ran");
    const jsBeforePlayer = med((r) => r.beforePlayer.jsBytes);
    const rows = [
      [
        "cold cache: `#/videos` until interactive",
        `${Math.round(med((r) => r.coldReadyMs))}`,
        kb(med((r) => r.cold.jsBytes)),
        kb(med((r) => r.cold.jsDecodedBytes)),
        kb(med((r) => r.cold.totalBytes)),
        String(med((r) => r.cold.requests)),
        encodings(first.cold),
      ],
      [
        "cold cache: then a video page, no player",
        "—",
        kb(jsBeforePlayer),
        kb(med((r) => r.beforePlayer.jsDecodedBytes)),
        kb(med((r) => r.beforePlayer.totalBytes)),
        String(med((r) => r.beforePlayer.requests)),
        encodings(first.beforePlayer),
      ],
      [
        "warm cache: `#/videos` again, same context",
        `${Math.round(med((r) => r.warmReadyMs))}`,
        kb(med((r) => r.warm.jsBytes)),
        kb(med((r) => r.warm.jsDecodedBytes)),
        kb(med((r) => r.warm.totalBytes)),
        String(med((r) => r.warm.requests)),
        encodings(first.warm),
      ],
    ];
    const version = browser.version();
    process.stdout.write(
      [
        "## Console load: bytes and time to the video list in Chromium",
        "",
        `Command: \`${benchCommand("console-load.ts")}\``,
        "",
        machineFacts({
          "load average (1 / 5 min) at start": `${loadAtStart[0]?.toFixed(2)} / ${loadAtStart[1]?.toFixed(2)}`,
          "load average (1 / 5 min) at the end": `${loadavg()[0]?.toFixed(2)} / ${loadavg()[1]?.toFixed(2)}`,
          browser: `Chromium ${version} (${CHROMIUM_PATH}), headless, 1280×800, no throttling; Accept-Encoding it sent: \`${first.cold.acceptEncoding ?? "?"}\``,
          setup: `\`npm start\` (NODE_ENV=production, embedded PGlite and local storage in fresh temp folders), one user with one video; ${ROUNDS} rounds, medians; each round a fresh browser context (cold HTTP cache), then a second page in it (warm)`,
        }),
        "",
        table(
          [
            "load",
            "interactive ms (median)",
            "JS KB over the wire",
            "JS KB decoded",
            "all KB over the wire",
            "responses",
            "JS Content-Encoding",
          ],
          rows,
        ),
        "",
        table(
          ["target", "measured", "needed", "met"],
          [
            [
              "JS over the wire before a player opens",
              `${kb(jsBeforePlayer)} KB`,
              `≤ ${kb(JS_BUDGET_BYTES)} KB`,
              jsBeforePlayer <= JS_BUDGET_BYTES ? "yes" : "**no**",
            ],
          ],
        ),
        "",
        "Bytes are per response as Chromium counts them (body as sent plus headers); an SSE stream still open at the end is not counted. Interactive: the `Videos` heading visible and the first video link focused, on the page's own clock from navigation start.",
      ].join("\n") + "\n",
    );
  } finally {
    await browser?.close().catch(() => undefined);
    await api?.kill();
    await rm(sandbox, { recursive: true, force: true });
  }
}

await main();
