import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseErrors } from "../../server/src/database/database-errors.js";
import { withPlaylists } from "../../server/src/modules/videos/api/playlists.listener.js";
import type { ServePlaylists } from "../../server/src/modules/videos/application/serve-playlists.js";
import { silentLogger } from "../support/test-app.js";

/** What the playlists service does for each token in these cases. */
const behaviour: Record<string, () => Promise<string>> = {
  ok: async () => "#EXTM3U\n",
  "db-down": async () => {
    throw DatabaseErrors.unavailable();
  },
  bug: async () => {
    throw new Error("secret detail at /srv/app/file.ts:12");
  },
};

const playlists = {
  master: (token: string) => (behaviour[token] ?? behaviour.ok!)(),
  variant: (token: string) => (behaviour[token] ?? behaviour.ok!)(),
} as unknown as ServePlaylists;

describe("the /play listener in front of express", () => {
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    const app: http.RequestListener = (_req, res) => res.writeHead(299).end("express");
    server = http.createServer(withPlaylists(app, playlists, silentLogger));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("answers a playlist and leaves every other path to express", async () => {
    const playlist = await fetch(`${base}/play/ok/master.m3u8`);
    expect(playlist.status).toBe(200);
    expect(await playlist.text()).toBe("#EXTM3U\n");
    expect((await fetch(`${base}/trpc/auth.me`)).status).toBe(299);
  });

  it("turns a database outage into a clear 503 in the API's error shape", async () => {
    const answer = await fetch(`${base}/play/db-down/master.m3u8`);
    expect(answer.status).toBe(503);
    expect(await answer.json()).toMatchObject({ error: { errorCode: "DEPENDENCY_UNAVAILABLE" } });
  });

  it("answers anything unexpected with a 500 that names nothing inside", async () => {
    const answer = await fetch(`${base}/play/bug/P360.m3u8`);
    expect(answer.status).toBe(500);
    const text = await answer.text();
    expect(JSON.parse(text)).toMatchObject({ error: { errorCode: "INTERNAL", message: "Internal server error" } });
    expect(text).not.toContain("secret detail");
    expect(answer.headers.get("x-request-id")).toBe(
      (JSON.parse(text) as { error: { correlationId: string } }).error.correlationId,
    );
  });
});
