import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, createTestApp, type TestApp } from "../support/test-app.js";
import { expectTrpcError } from "../support/errors.js";
import { registerAdmin, registerUser } from "../support/users.js";

const MISSING = "00000000-0000-4000-8000-000000000000";

describe.each(backends())("videos procedures on %s", (backend) => {
  let app: TestApp;
  let alice: Awaited<ReturnType<typeof registerUser>>;
  let bob: Awaited<ReturnType<typeof registerUser>>;
  let admin: Awaited<ReturnType<typeof registerAdmin>>;

  beforeAll(async () => {
    app = await createTestApp(backend, { PUBLIC_URL: "http://127.0.0.1:9" });
    [alice, bob, admin] = await Promise.all([registerUser(app, "alice"), registerUser(app, "bob"), registerAdmin(app)]);
  });
  afterAll(() => app.close());

  const as = (user: { bearer: string }) => app.caller(user.bearer).videos;

  it("creates a DRAFT, reads it back, edits it", async () => {
    const created = await as(alice).create({ title: "  Holiday  ", description: "Beach" });
    expect(created).toMatchObject({
      title: "Holiday",
      description: "Beach",
      status: "DRAFT",
      ownerId: alice.user.id,
      source: null,
    });
    expect(await as(alice).get({ id: created.id })).toEqual(created);
    const edited = await as(alice).update({ id: created.id, title: "Holiday 2026" });
    expect(edited).toMatchObject({ title: "Holiday 2026", description: "Beach" });
    expect(new Date(edited.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(created.updatedAt).getTime());
  });

  it("validates input with field errors", async () => {
    const error = await expectTrpcError(
      as(alice).create({ title: "", description: "x".repeat(5001) }),
      "BAD_REQUEST",
      "VALIDATION_FAILED",
    );
    expect(error.cause?.constructor.name).toBe("ZodError");
    await expectTrpcError(as(alice).get({ id: "nope" }), "BAD_REQUEST");
    await expectTrpcError(as(alice).list({ limit: 0 }), "BAD_REQUEST");
    await expectTrpcError(as(alice).list({ limit: 101 }), "BAD_REQUEST");
    await expectTrpcError(as(alice).list({ cursor: "not-a-cursor" }), "BAD_REQUEST", "VALIDATION_FAILED");
  });

  it("lists newest first in stable pages with no duplicates or gaps while videos are added", async () => {
    const user = await registerUser(app, "lister");
    const ids: string[] = [];
    for (let index = 0; index < 7; index += 1) ids.push((await as(user).create({ title: `clip ${index}` })).id);
    const seen: string[] = [];
    let page = await as(user).list({ limit: 3 });
    seen.push(...page.items.map((video) => video.id));
    // Videos created between pages are newer than the cursor: they belong before page 1, never inside later pages.
    await as(user).create({ title: "late arrival" });
    while (page.nextCursor) {
      page = await as(user).list({ limit: 3, cursor: page.nextCursor });
      seen.push(...page.items.map((video) => video.id));
    }
    expect(seen).toEqual([...ids].reverse());
    expect(page.nextCursor).toBeNull();
  });

  it("filters by status and searches titles case-insensitively, with wildcards taken literally", async () => {
    const user = await registerUser(app, "searcher");
    await as(user).create({ title: "Cats on a Trampoline" });
    await as(user).create({ title: "Dogs at the beach" });
    await as(user).create({ title: "100% cats" });
    const titles = async (search: string) => (await as(user).list({ search })).items.map((video) => video.title).sort();
    expect(await titles("CATS")).toEqual(["100% cats", "Cats on a Trampoline"]);
    expect(await titles("ampol")).toEqual(["Cats on a Trampoline"]);
    expect(await titles("%")).toEqual(["100% cats"]);
    expect(await titles("_")).toEqual([]);
    expect((await as(user).list({ status: "DRAFT" })).items).toHaveLength(3);
    expect((await as(user).list({ status: "READY" })).items).toHaveLength(0);
    // Another user's videos never appear in my list or search.
    expect((await as(bob).list({ search: "Trampoline" })).items).toHaveLength(0);
  });

  it("hides one user's videos from another on every procedure (NOT_FOUND, never FORBIDDEN)", async () => {
    const { id } = await as(alice).create({ title: "private" });
    const calls = [
      () => as(bob).get({ id }),
      () => as(bob).update({ id, title: "mine now" }),
      () => as(bob).delete({ id }),
      () => as(bob).createUpload({ id, filename: "x.mp4", contentType: "video/mp4", sizeBytes: 10 }),
      () => as(bob).completeUpload({ id }),
      () => as(bob).downloadUrl({ id, kind: "source" }),
    ];
    for (const call of calls) await expectTrpcError(call(), "NOT_FOUND", "VIDEO_NOT_FOUND");
    expect(await as(alice).get({ id })).toMatchObject({ title: "private" });
    await expectTrpcError(as(alice).get({ id: MISSING }), "NOT_FOUND", "VIDEO_NOT_FOUND");
  });

  it("lets admins see and delete any video but not change someone else's", async () => {
    const { id } = await as(alice).create({ title: "watched" });
    await expect(as(admin).get({ id })).resolves.toMatchObject({ ownerId: alice.user.id });
    await expectTrpcError(as(admin).update({ id, title: "edited by admin" }), "FORBIDDEN", "NOT_VIDEO_OWNER");
    await expectTrpcError(as(admin).createUpload({ id, filename: "a.mp4", contentType: "video/mp4", sizeBytes: 1 }), "FORBIDDEN");
    await expect(as(admin).delete({ id })).resolves.toEqual({ ok: true });
    await expectTrpcError(as(alice).get({ id }), "NOT_FOUND");
    const audit = await app.caller(admin.bearer).admin.audit.list({ action: "video.deleted" });
    expect(audit.items.find((entry) => entry.targetId === id)).toMatchObject({
      actorId: admin.user.id,
      metadata: { ownerId: alice.user.id },
    });
  });

  it("soft-deletes: the video leaves get and list, and a second delete is NOT_FOUND", async () => {
    const { id } = await as(alice).create({ title: "to delete" });
    await as(alice).delete({ id });
    await expectTrpcError(as(alice).get({ id }), "NOT_FOUND");
    expect((await as(alice).list({ limit: 100 })).items.map((video) => video.id)).not.toContain(id);
    await expectTrpcError(as(alice).delete({ id }), "NOT_FOUND");
  });

  it("enforces API key scopes: videos:read reads, videos:write writes", async () => {
    const reader = await app.caller(alice.bearer).apiKeys.create({ name: "reader", scopes: ["videos:read"] });
    const writer = await app.caller(alice.bearer).apiKeys.create({ name: "writer", scopes: ["videos:write"] });
    const created = await app.caller(`ApiKey ${writer.key}`).videos.create({ title: "by script" });
    await expect(app.caller(`ApiKey ${reader.key}`).videos.get({ id: created.id })).resolves.toMatchObject({
      title: "by script",
    });
    await expectTrpcError(
      app.caller(`ApiKey ${reader.key}`).videos.create({ title: "nope" }),
      "FORBIDDEN",
      "API_KEY_SCOPE_MISSING",
    );
    await expectTrpcError(app.caller(`ApiKey ${writer.key}`).videos.list({}), "FORBIDDEN", "API_KEY_SCOPE_MISSING");
    await expectTrpcError(app.caller().videos.list({}), "UNAUTHORIZED");
  });

  it("refuses uploads that are not video/* or too large, and state-breaking calls", async () => {
    const { id } = await as(alice).create({ title: "upload rules" });
    await expectTrpcError(
      as(alice).createUpload({ id, filename: "a.png", contentType: "image/png", sizeBytes: 10 }),
      "BAD_REQUEST",
    );
    await expectTrpcError(
      as(alice).createUpload({ id, filename: "a.mp4", contentType: "video/mp4", sizeBytes: 5 * 1024 ** 3 + 1 }),
      "BAD_REQUEST",
    );
    await expectTrpcError(
      as(alice).createUpload({ id, filename: "../etc/passwd", contentType: "video/mp4", sizeBytes: 10 }),
      "BAD_REQUEST",
    );
    await expectTrpcError(as(alice).completeUpload({ id }), "UNPROCESSABLE_CONTENT", "VIDEO_INVALID_STATE");
    await expectTrpcError(as(alice).downloadUrl({ id, kind: "source" }), "NOT_FOUND", "FILE_NOT_FOUND");
    await expectTrpcError(as(alice).downloadUrl({ id, kind: "rendition" }), "NOT_FOUND", "FILE_NOT_FOUND");
    await expectTrpcError(as(alice).downloadUrl({ id, kind: "thumbnail" }), "NOT_FOUND", "FILE_NOT_FOUND");
  });

  it("issues an upload URL bound to the declared file, and a new one replaces it", async () => {
    const { id } = await as(alice).create({ title: "upload url" });
    const first = await as(alice).createUpload({ id, filename: "clip.mp4", contentType: "Video/MP4", sizeBytes: 1234 });
    expect(first).toMatchObject({ method: "PUT", headers: { "Content-Type": "video/mp4" } });
    expect(new Date(first.expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(await as(alice).get({ id })).toMatchObject({
      status: "UPLOADING",
      source: { filename: "clip.mp4", contentType: "video/mp4", sizeBytes: 1234 },
    });
    const second = await as(alice).createUpload({ id, filename: "clip.mp4", contentType: "video/mp4", sizeBytes: 99 });
    expect(second.uploadUrl).not.toBe(first.uploadUrl);
    await expectTrpcError(as(alice).completeUpload({ id }), "UNPROCESSABLE_CONTENT", "UPLOAD_OBJECT_MISSING");
    expect((await as(alice).get({ id })).status).toBe("UPLOADING");
  });
});
