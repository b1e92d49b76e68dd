import { describe, expect, it } from "vitest";
import { RenditionOutputs } from "../../server/src/modules/jobs/infra/processors/rendition-outputs.js";
import type { Job } from "../../server/src/modules/jobs/domain/job.entity.js";
import type { JobOutputFile, VideoOutputs } from "../../server/src/modules/videos/application/index.js";
import type { TranscodeResult } from "../../server/src/shared/application/media-transcoder.js";
import type { ObjectStorage } from "../../server/src/shared/application/object-storage.js";

const hls = {
  init: { offset: 0, length: 1325 },
  segments: [
    { offset: 1325, length: 85011, durationSeconds: 2 },
    { offset: 86336, length: 48743, durationSeconds: 1 },
  ],
};
const result: TranscodeResult = {
  rendition: {
    path: "/w/P720.mp4",
    width: 1280,
    height: 720,
    sizeBytes: 135079,
    sha256: "a".repeat(64),
    bitrateKbps: 360.2,
    durationSeconds: 3,
    codecs: "avc1.64001f,mp4a.40.2",
    frameRate: 29.97,
    hls,
  },
  thumbnail: { path: "/w/P720.jpg", width: 640, height: 360, sizeBytes: 900, sha256: "b".repeat(64) },
};

describe("RenditionOutputs", () => {
  it("records the one fMP4 object as the rendition, with its HLS index, codecs and frame rate", async () => {
    const stored: { key: string; path: string; contentType: string }[] = [];
    const storage = {
      putFile: async (key: string, path: string, { contentType }: { contentType: string }) => {
        stored.push({ key, path, contentType });
        return path.endsWith(".mp4") ? { sizeBytes: 135079, sha256: "a".repeat(64) } : { sizeBytes: 900, sha256: "b".repeat(64) };
      },
    } as unknown as ObjectStorage;
    let recorded: JobOutputFile[] = [];
    const videos = { record: async (_id: string, files: JobOutputFile[]) => void (recorded = files) } as unknown as VideoOutputs;
    const job = { id: "job-1", videoId: "video-1", quality: "P720", runKey: "run-1" } as unknown as Job;

    const outputs = new RenditionOutputs(storage, videos, job);
    await outputs.store(result);
    await outputs.commit();

    const renditions = stored.filter((object) => object.path === "/w/P720.mp4");
    expect(renditions).toEqual([{ key: expect.stringContaining("P720.mp4"), path: "/w/P720.mp4", contentType: "video/mp4" }]);
    expect(recorded.find((file) => file.kind === "RENDITION")).toMatchObject({
      contentType: "video/mp4",
      storageKey: renditions[0]?.key,
      codecs: "avc1.64001f,mp4a.40.2",
      frameRate: 29.97,
      hls,
      bitrate: 360200,
    });
    expect(recorded.find((file) => file.kind === "THUMBNAIL")).toMatchObject({ codecs: null, frameRate: null, hls: null });
  });
});
