import { VIDEO_REPOSITORY, type VideoRepository } from "../../server/src/modules/videos/application/video.repository.js";
import { OBJECT_STORAGE, type ObjectStorage } from "../../server/src/shared/application/object-storage.js";
import { PUBLIC_URL, type PublicUrl } from "../../server/src/shared/application/public-url.js";
import type { AppCaller, TestApp } from "./test-app.js";

/**
 * A video with `file` as its uploaded source, through the real procedures. The bytes go to
 * storage directly (there is no HTTP server in a createCaller test to PUT them to).
 */
export async function uploadedVideo(app: TestApp, caller: AppCaller, file: string, title = "Clip"): Promise<string> {
  app.container.get<PublicUrl>(PUBLIC_URL).setIfUnset("http://127.0.0.1:9");
  const video = await caller.videos.create({ title });
  const { size } = await import("node:fs/promises").then((fs) => fs.stat(file));
  await caller.videos.createUpload({ id: video.id, filename: "clip.mp4", contentType: "video/mp4", sizeBytes: size });
  const upload = (await app.container.get<VideoRepository>(VIDEO_REPOSITORY).findByIdForWrite(video.id))?.upload;
  if (!upload) throw new Error("the upload was not declared");
  await app.container.get<ObjectStorage>(OBJECT_STORAGE).putFile(upload.key, file, { contentType: "video/mp4" });
  await caller.videos.completeUpload({ id: video.id });
  return video.id;
}

/** Polls jobs.get until the job reaches one of `statuses`. */
export async function waitForJob(caller: AppCaller, id: string, statuses: string[], timeoutMs = 25_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await caller.jobs.get({ id });
    if (statuses.includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} is still ${job.status} after ${timeoutMs} ms: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
