import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  STORED_FILE_REPOSITORY,
  type StoredFileRepository,
} from "../../server/src/modules/videos/application/stored-file.repository.js";
import { VIDEO_REPOSITORY, type VideoRepository } from "../../server/src/modules/videos/application/video.repository.js";
import { Video } from "../../server/src/modules/videos/domain/video.entity.js";
import { PrismaVideoRepository } from "../../server/src/modules/videos/infra/prisma-video.repository.js";
import { DATABASE, type Database } from "../../server/src/database/database.js";
import { newId } from "../../server/src/shared/domain/ids.js";
import { backends, createTestApp, type TestApp } from "../support/test-app.js";
import { registerUser } from "../support/users.js";
import { EVENT_OUTBOX, type EventOutbox } from "../../server/src/shared/application/event-outbox.js";

describe.each(backends())("video repositories on %s", (backend) => {
  let app: TestApp;
  let videos: VideoRepository;
  let files: StoredFileRepository;
  let ownerId: string;
  const now = new Date();
  const upload = { key: "videos/x/source-abc", filename: "clip.mp4", contentType: "video/mp4", sizeBytes: 6 * 1024 ** 3 };

  beforeAll(async () => {
    app = await createTestApp(backend, { PUBLIC_URL: "http://127.0.0.1:9" });
    // The uncached adapter: these tests are about what the database stores and returns.
    videos = new PrismaVideoRepository(app.container.get<Database>(DATABASE), app.container.get<EventOutbox>(EVENT_OUTBOX));
    files = app.container.get(STORED_FILE_REPOSITORY);
    ownerId = (await registerUser(app, "repo")).user.id;
  });
  afterAll(() => app.close());

  const make = (title = "clip", createdAt = now) => Video.create({ ownerId, title, now: createdAt });

  it("round-trips every field, sizes beyond 32 bits included", async () => {
    const video = make("full");
    video.startUpload(upload, now);
    video.markUploaded({ durationSeconds: 12.5, width: 1920, height: 1080, videoCodec: "h264", audioCodec: null }, now);
    await videos.create(video);
    expect((await videos.findById(video.id))?.toState()).toEqual(video.toState());
    expect((await videos.findByIdForWrite(video.id))?.toState()).toEqual(video.toState());
  });

  it("saves a transition only from the expected status, so one of two racers loses", async () => {
    const video = make("race");
    video.startUpload(upload, now);
    await videos.create(video);
    const [first, second] = await Promise.all([videos.findByIdForWrite(video.id), videos.findByIdForWrite(video.id)]);
    first?.markUploaded({ durationSeconds: 1, width: 2, height: 2, videoCodec: "h264", audioCodec: null }, now);
    second?.rejectUpload(now);
    const results = await Promise.allSettled([videos.save(first!, "UPLOADING"), videos.save(second!, "UPLOADING")]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(results.find((result) => result.status === "rejected")).toMatchObject({ reason: { code: "VIDEO_INVALID_STATE" } });
  });

  it("refuses a save from a stale copy with CONCURRENT_MODIFICATION, and lets one instance save twice", async () => {
    const video = make("versions");
    await videos.create(video);
    const [fresh, stale] = await Promise.all([videos.findByIdForWrite(video.id), videos.findByIdForWrite(video.id)]);
    fresh!.edit({ title: "first" }, now);
    await videos.save(fresh!);
    // Its version moved with the row, so the same instance is not stale.
    fresh!.edit({ description: "second" }, now);
    await videos.save(fresh!);
    stale!.edit({ title: "stale" }, now);
    await expect(videos.save(stale!)).rejects.toMatchObject({ code: "CONCURRENT_MODIFICATION", kind: "CONFLICT" });
    expect((await videos.findByIdForWrite(video.id))?.toState()).toMatchObject({
      title: "first",
      description: "second",
      version: 3,
    });
  });

  it("never writes a deleted video back, and deletes it only once", async () => {
    const video = make("deleted meanwhile");
    await videos.create(video);
    const [editor, deleter] = await Promise.all([videos.findByIdForWrite(video.id), videos.findByIdForWrite(video.id)]);
    deleter!.softDelete(now);
    await videos.saveDeletion(deleter!);
    editor!.edit({ title: "resurrected?" }, now);
    await expect(videos.save(editor!)).rejects.toMatchObject({ code: "VIDEO_NOT_FOUND", kind: "NOT_FOUND" });
    await expect(videos.saveDeletion(deleter!)).rejects.toMatchObject({ code: "VIDEO_NOT_FOUND" });
    const row = await app.container.get<Database>(DATABASE).prisma.video.findUniqueOrThrow({ where: { id: video.id } });
    expect(row).toMatchObject({ title: "deleted meanwhile", deletedAt: now });
  });

  it("hides soft-deleted videos from find and list", async () => {
    const video = make("gone");
    await videos.create(video);
    video.softDelete(now);
    await videos.save(video);
    expect(await videos.findById(video.id)).toBeNull();
    expect((await videos.listByOwner(ownerId, { search: "gone" }, { limit: 10 })).items).toEqual([]);
  });

  it("lists by owner with status and escaped search, paging over tied timestamps", async () => {
    const tied = new Date("2021-05-05T00:00:00Z");
    const marker = `m${newId().slice(0, 6)}`;
    const created: Video[] = [];
    for (const title of [`${marker} a_b`, `${marker} axb`, `${marker} 50% off`, `${marker} back\\slash`]) {
      const video = make(title, tied);
      await videos.create(video);
      created.push(video);
    }
    const search = async (term: string) =>
      (await videos.listByOwner(ownerId, { search: `${marker} ${term}` }, { limit: 10 })).items.map((v) => v.toState().title);
    expect(await search("a_b")).toEqual([`${marker} a_b`]);
    expect(await search("50%")).toEqual([`${marker} 50% off`]);
    expect(await search("back\\")).toEqual([`${marker} back\\slash`]);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await videos.listByOwner(ownerId, { search: marker, status: "DRAFT" }, { cursor, limit: 3 });
      seen.push(...page.items.map((video) => video.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(
      created
        .map((video) => video.id)
        .sort()
        .reverse(),
    );
  });

  it("stores files and finds the latest of a kind", async () => {
    const video = make("files");
    await videos.create(video);
    const file = (kind: "SOURCE" | "THUMBNAIL", key: string, createdAt: Date) => ({
      id: newId(),
      videoId: video.id,
      kind,
      storageKey: key,
      contentType: "video/mp4",
      sizeBytes: 5 * 1024 ** 3,
      sha256: "ab".repeat(32),
      quality: null,
      width: 320,
      height: 180,
      bitrate: null,
      codecs: null,
      frameRate: null,
      hls: null,
      createdAt,
    });
    await files.add(file("SOURCE", `k-${newId()}`, new Date(now.getTime() - 1000)));
    const latest = file("SOURCE", `k-${newId()}`, now);
    await files.add(latest);
    expect(await files.findLatest(video.id, "SOURCE")).toEqual(latest);
    expect(await files.findLatest(video.id, "THUMBNAIL")).toBeNull();
    expect(await files.listByVideo(video.id)).toHaveLength(2);
    await files.deleteByVideo(video.id);
    expect(await files.listByVideo(video.id)).toEqual([]);
    // The cached adapter in the container sees the same rows.
    expect((await app.container.get<VideoRepository>(VIDEO_REPOSITORY).findById(video.id))?.id).toBe(video.id);
  });
});
