import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IN_MEMORY_PGLITE } from "../../server/src/database/open-database.js";
import { startApiProcess, type ApiProcess } from "../support/api-process.js";
import { PASSWORD, uniqueEmail } from "../support/users.js";

/**
 * The bundled server (esbuild emits no decorator metadata) resolves every playback service: the
 * playlist listener at start-up, videos.playback on its first call. The playlists themselves are
 * covered in test/integration/playback.test.ts.
 */
describe("playback in the bundled server", () => {
  let sandbox: string;
  let api: ApiProcess;
  beforeAll(async () => {
    sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-playback-e2e-"));
    api = await startApiProcess({
      NODE_ENV: "test",
      JWT_SECRET: "e2e-secret-that-is-long-enough-for-hs256-0123456789",
      PGLITE_DATA_DIR: IN_MEMORY_PGLITE,
      LOCAL_STORAGE_DIR: path.join(sandbox, "objects"),
      ARGON2_MEMORY_KIB: "1024",
      ARGON2_TIME_COST: "1",
    });
  }, 120_000);
  afterAll(async () => {
    await api?.kill();
    await rm(sandbox, { recursive: true, force: true });
  });

  it("answers videos.playback (422 before a rendition streams) and refuses a bad token on /play with 403", async () => {
    const json = { "content-type": "application/json" };
    const register = await fetch(`${api.url}/trpc/auth.register`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ email: uniqueEmail("playback-e2e"), password: PASSWORD }),
    });
    const { accessToken } = ((await register.json()) as { result: { data: { accessToken: string } } }).result.data;
    const auth = { ...json, authorization: `Bearer ${accessToken}` };
    const created = await fetch(`${api.url}/trpc/videos.create`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ title: "e2e" }),
    });
    const { id } = ((await created.json()) as { result: { data: { id: string } } }).result.data;
    const playback = await fetch(`${api.url}/trpc/videos.playback?input=${encodeURIComponent(JSON.stringify({ id }))}`, {
      headers: auth,
    });
    expect(playback.status).toBe(422);
    expect(((await playback.json()) as { error: { data: { errorCode: string } } }).error.data.errorCode).toBe(
      "PLAYBACK_NOT_READY",
    );
    const play = await fetch(`${api.url}/play/${"A".repeat(66)}/master.m3u8`);
    expect(play.status).toBe(403);
    expect(play.headers.get("access-control-allow-origin")).toBe("*");
    expect(((await play.json()) as { error: { errorCode: string } }).error.errorCode).toBe("PLAYBACK_TOKEN_INVALID");
  });
});
