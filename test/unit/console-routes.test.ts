import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliCompressSync, gunzipSync, gzipSync } from "node:zlib";
import express from "express";
import helmet from "helmet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StorageConfig } from "../../server/src/config/config.js";
import { consoleDirectives, consoleRoutes } from "../../server/src/http/console.routes.js";

const SCRIPT = "console.log('reelbase console');\n".repeat(50);
const LOCAL: StorageConfig = { kind: "local", dir: "/unused" };

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** node:http rather than fetch: fetch decodes bodies and picks its own Accept-Encoding. */
function get(base: string, pathname: string, acceptEncoding?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      `${base}${pathname}`,
      { headers: acceptEncoding ? { "accept-encoding": acceptEncoding } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    request.on("error", reject);
  });
}

async function serve(dir: string, storage: StorageConfig = LOCAL): Promise<{ base: string; close: () => Promise<void> }> {
  const app = express();
  app.use(helmet());
  app.use(consoleRoutes({ dir, storage }));
  app.use((_req, res) => res.status(404).json({ error: "next" }));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("the console at /", () => {
  let dir: string;
  let served: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "console-routes-"));
    mkdirSync(path.join(dir, "assets"));
    writeFileSync(path.join(dir, "index.html"), '<!doctype html><script type="module" src="/assets/app-1a2b.js"></script>');
    const asset = path.join(dir, "assets", "app-1a2b.js");
    writeFileSync(asset, SCRIPT);
    writeFileSync(`${asset}.br`, brotliCompressSync(SCRIPT));
    writeFileSync(`${asset}.gz`, gzipSync(SCRIPT));
    served = await serve(dir);
  });
  afterAll(async () => {
    await served.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves index.html, never cached stale, under a policy that allows hls.js without loosening script-src", async () => {
    const page = await get(served.base, "/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.headers["cache-control"]).toBe("no-cache");
    const policy = String(page.headers["content-security-policy"]);
    const directives = new Map(policy.split(";").map((part) => [part.split(" ")[0], part.split(" ").slice(1)]));
    expect(directives.get("script-src")).toEqual(["'self'"]);
    expect(directives.get("media-src")).toEqual(["'self'", "blob:"]);
    expect(directives.get("worker-src")).toEqual(["'self'", "blob:"]);
    expect(directives.get("connect-src")).toEqual(["'self'"]);
    expect(directives.get("object-src")).toEqual(["'none'"]);
    expect(directives.has("upgrade-insecure-requests")).toBe(false);
  });

  it("answers scripts precompressed by what the browser accepts, cached for a year", async () => {
    const brotli = await get(served.base, "/assets/app-1a2b.js", "gzip, deflate, br");
    expect(brotli.status).toBe(200);
    expect(brotli.headers["content-encoding"]).toBe("br");
    expect(brotli.headers["content-type"]).toMatch(/javascript/);
    expect(brotli.headers["cache-control"]).toContain("immutable");
    expect(brotli.body.length).toBeLessThan(SCRIPT.length / 4);

    const gzip = await get(served.base, "/assets/app-1a2b.js", "gzip");
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gzip.body).toString()).toBe(SCRIPT);

    const plain = await get(served.base, "/assets/app-1a2b.js");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);
  });

  it("leaves unknown assets and every other path to the routes after it", async () => {
    expect((await get(served.base, "/assets/missing.js")).body.toString()).toContain("next");
    expect((await get(served.base, "/videos")).body.toString()).toContain("next");
  });

  it("serves nothing when the console was not built", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "console-routes-empty-"));
    const bare = await serve(empty);
    try {
      expect((await get(bare.base, "/")).status).toBe(404);
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("the console's policy with S3 storage", () => {
  const s3 = (endpoint: string | undefined, publicEndpoint?: string): StorageConfig => ({
    kind: "s3",
    bucket: "reels",
    endpoint,
    publicEndpoint,
    region: "eu-west-1",
    forcePathStyle: true,
    credentials: undefined,
  });

  it("lets the page reach the storage origin browsers are sent to for parts, media and posters", () => {
    const directives = consoleDirectives(s3("http://127.0.0.1:9000/", "http://localhost:9100/base"));
    for (const name of ["connect-src", "media-src", "img-src"]) expect(directives[name]).toContain("http://localhost:9100");
    expect(directives["connect-src"]).not.toContain("http://127.0.0.1:9000");
    expect(directives["worker-src"]).toEqual(["'self'", "blob:"]);
  });

  it("names the region's AWS hosts when no endpoint is configured", () => {
    expect(consoleDirectives(s3(undefined))["connect-src"]).toEqual([
      "'self'",
      "https://reels.s3.eu-west-1.amazonaws.com",
      "https://s3.eu-west-1.amazonaws.com",
    ]);
  });
});
