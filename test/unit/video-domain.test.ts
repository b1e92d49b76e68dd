import { describe, expect, it } from "vitest";
import { canTransition, VIDEO_STATUSES, type VideoStatus } from "../../server/src/modules/videos/domain/video-status.js";
import { Video } from "../../server/src/modules/videos/domain/video.entity.js";
import { DomainError } from "../../server/src/shared/domain/domain-error.js";

const now = new Date("2026-11-21T12:00:00Z");
const upload = { key: "videos/x/source-1", filename: "clip.mp4", contentType: "video/mp4", sizeBytes: 1234 };
const probe = { durationSeconds: 1, width: 160, height: 90, videoCodec: "h264", audioCodec: "aac" };

function failure(fn: () => unknown): { code: string; kind: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, kind: error.kind };
    throw error;
  }
}

const draft = () => Video.create({ ownerId: "owner", title: "  My clip  ", description: " about it ", now });

describe("Video", () => {
  it("is born a DRAFT with a trimmed title and description", () => {
    expect(draft().toState()).toMatchObject({
      status: "DRAFT",
      title: "My clip",
      description: "about it",
      upload: null,
      probe: null,
    });
  });

  it.each([
    ["", "title"],
    ["   ", "title"],
    ["x".repeat(201), "title"],
  ])("refuses the title %j", (title) => {
    expect(failure(() => Video.create({ ownerId: "o", title, now }))?.code).toBe("VALIDATION_FAILED");
  });

  it("accepts 200-character titles and 5000-character descriptions, and no more", () => {
    expect(
      failure(() => Video.create({ ownerId: "o", title: "x".repeat(200), description: "d".repeat(5000), now })),
    ).toBeUndefined();
    expect(failure(() => Video.create({ ownerId: "o", title: "t", description: "d".repeat(5001), now }))?.code).toBe(
      "VALIDATION_FAILED",
    );
  });

  it("walks the upload path DRAFT → UPLOADING → UPLOADED → PROCESSING → READY", () => {
    const video = draft();
    video.startUpload(upload, now);
    video.startUpload({ ...upload, key: "videos/x/source-2" }, now);
    expect(video.upload?.key).toBe("videos/x/source-2");
    video.markUploaded(probe, now);
    expect(video.toState().probe).toEqual(probe);
    video.startProcessing(now);
    video.markReady(now);
    expect(video.status).toBe("READY");
  });

  it("returns to DRAFT when the upload was not a video, forgetting it", () => {
    const video = draft();
    video.startUpload(upload, now);
    video.rejectUpload(now);
    expect(video.toState()).toMatchObject({ status: "DRAFT", upload: null });
  });

  it("lets a generated video go DRAFT → PROCESSING → FAILED", () => {
    const video = draft();
    video.startProcessing(now);
    video.markFailed(now);
    expect(video.status).toBe("FAILED");
  });

  it("makes illegal transitions VIDEO_INVALID_STATE business-rule errors, changing nothing", () => {
    const video = draft();
    expect(failure(() => video.markUploaded(probe, now))).toEqual({ code: "VIDEO_INVALID_STATE", kind: "BUSINESS_RULE" });
    expect(failure(() => video.markReady(now))?.code).toBe("VIDEO_INVALID_STATE");
    expect(failure(() => video.rejectUpload(now))?.code).toBe("VIDEO_INVALID_STATE");
    video.startUpload(upload, now);
    video.markUploaded(probe, now);
    expect(failure(() => video.startUpload(upload, now))?.code).toBe("VIDEO_INVALID_STATE");
    expect(video.status).toBe("UPLOADED");
  });

  it("has no state that cannot be left, and none reachable only from itself", () => {
    const reachable = new Set<VideoStatus>(["DRAFT"]);
    for (let round = 0; round < VIDEO_STATUSES.length; round += 1) {
      for (const from of [...reachable]) for (const to of VIDEO_STATUSES) if (canTransition(from, to)) reachable.add(to);
    }
    expect([...reachable].sort()).toEqual([...VIDEO_STATUSES].sort());
  });

  it("soft-deletes once", () => {
    const video = draft();
    video.softDelete(now);
    video.softDelete(new Date(now.getTime() + 1000));
    expect(video.toState().deletedAt).toEqual(now);
    expect(video.isDeleted).toBe(true);
  });
});
