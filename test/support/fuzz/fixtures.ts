import { API_KEY_SCOPES } from "../../../server/src/shared/domain/roles.js";
import type { HttpTestApi } from "../http-api.js";
import { registerAdminOverHttp, resultOf } from "../http-admin.js";
import type { KnownValues } from "./json-schema.js";

export interface FuzzFixtures {
  /** Weighted towards callers that get past authentication, where inputs reach handlers and SQL. */
  callers: Array<{ label: string; headers: Record<string, string>; weight: number }>;
  known: KnownValues;
}

/**
 * A signed-in administrator (so admin.* gets past the role check to its input), an API key with every
 * scope, two videos, a generation job and a real cursor: ids and strings the generators mix in so valid shapes reach real rows.
 */
export async function createFuzzFixtures(api: HttpTestApi): Promise<FuzzFixtures> {
  const admin = await registerAdminOverHttp(api, "fuzz-admin");
  const bearer = admin.headers;
  const apiKey = await resultOf<{ id: string; key: string }>(
    await api.post("/trpc/apiKeys.create", { name: "fuzz", scopes: [...API_KEY_SCOPES] }, bearer),
  );
  // Revoking the key the API-key caller uses would leave the rest of the run without that caller.
  const spareKey = await resultOf<{ id: string }>(
    await api.post("/trpc/apiKeys.create", { name: "spare", scopes: ["videos:read"] }, bearer),
  );
  const videoIds: string[] = [];
  for (const title of ["fuzz one", "fuzz two"]) {
    videoIds.push((await resultOf<{ id: string }>(await api.post("/trpc/videos.create", { title }, bearer))).id);
  }
  // A job, so jobs.get/cancel/retry meet a real row (no consumer runs here: it stays QUEUED).
  const generated = await resultOf<{ video: { id: string }; job: { id: string } }>(
    await api.post("/trpc/videos.generate", { title: "fuzz generated", script: "Fuzz.", quality: "P360" }, bearer),
  );
  videoIds.push(generated.video.id);
  const page = await resultOf<{ nextCursor: string | null }>(await api.get("/trpc/videos.list", { limit: 1 }, bearer));
  return {
    callers: [
      { label: "signed out", headers: {}, weight: 1 },
      { label: "admin bearer", headers: bearer, weight: 3 },
      { label: "API key", headers: { authorization: `ApiKey ${apiKey.key}` }, weight: 2 },
      { label: "garbage credentials", headers: { authorization: "Bearer a.b.c" }, weight: 1 },
    ],
    known: {
      ids: [admin.id, spareKey.id, generated.job.id, ...videoIds],
      strings: [admin.email, "fuzz", "%", ...(page.nextCursor ? [page.nextCursor] : [])],
    },
  };
}
