import type { TranscodeResult } from "../../../../shared/application/media-transcoder.js";
import type { ObjectStorage } from "../../../../shared/application/object-storage.js";
import { renditionKey, thumbnailKey, type JobOutputFile, type VideoOutputs } from "../../../videos/application/index.js";
import type { ProcessorOutput } from "../../application/job-processor.js";
import type { Job } from "../../domain/job.entity.js";
import { rm } from "node:fs/promises";
import { createWorkDir } from "./work-dirs.js";

/**
 * A rendition and its thumbnail, stored under keys named after the job's run and recorded as the
 * video's files only when the job's success commits (plus whatever `extra` a job type adds, such
 * as a generated source). Shared by every job type that ends in a rendition.
 */
export class RenditionOutputs implements ProcessorOutput {
  private readonly keys: string[] = [];
  private files: JobOutputFile[] = [];

  constructor(
    private readonly storage: ObjectStorage,
    private readonly videos: VideoOutputs,
    private readonly job: Job,
    private readonly extra: () => Promise<void> = async () => {},
  ) {}

  /** Stores an object this job made; discard() removes it again. */
  async put(key: string, path: string, contentType: string): Promise<{ sizeBytes: number; sha256: string }> {
    this.keys.push(key);
    return this.storage.putFile(key, path, { contentType });
  }

  async store(result: TranscodeResult): Promise<void> {
    const { videoId, quality, runKey } = this.job;
    const [rendition, thumbnail] = await Promise.all([
      this.put(renditionKey(videoId, runKey, quality), result.rendition.path, "video/mp4"),
      this.put(thumbnailKey(videoId, runKey), result.thumbnail.path, "image/jpeg"),
    ]);
    this.files = [
      {
        kind: "RENDITION",
        storageKey: renditionKey(videoId, runKey, quality),
        contentType: "video/mp4",
        ...rendition,
        quality,
        width: result.rendition.width,
        height: result.rendition.height,
        bitrate: Math.round(result.rendition.bitrateKbps * 1000),
        // One fMP4 object is both the download and, through this index, the HLS variant.
        codecs: result.rendition.codecs,
        frameRate: result.rendition.frameRate,
        hls: result.rendition.hls,
      },
      {
        kind: "THUMBNAIL",
        storageKey: thumbnailKey(videoId, runKey),
        contentType: "image/jpeg",
        ...thumbnail,
        quality: null,
        width: result.thumbnail.width,
        height: result.thumbnail.height,
        bitrate: null,
        codecs: null,
        frameRate: null,
        hls: null,
      },
    ];
  }

  async commit(): Promise<void> {
    await this.extra();
    await this.videos.record(this.job.videoId, this.files);
  }

  async discard(): Promise<void> {
    await Promise.all(this.keys.map((key) => this.storage.delete(key)));
  }
}

/**
 * Runs a processor's work in a fresh work directory of its own: when the work fails (or is
 * cancelled) whatever it stored is removed again; the directory is removed either way.
 */
export async function inWorkDir(
  job: Job,
  outputs: RenditionOutputs,
  work: (workDir: string) => Promise<void>,
): Promise<RenditionOutputs> {
  const workDir = await createWorkDir(job.id);
  try {
    await work(workDir);
    return outputs;
  } catch (error) {
    await outputs.discard().catch(() => undefined);
    throw error;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
