import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import type { ReelbaseClient, RouterOutputs } from "../../client/src/index.js";
import { resolveMediaBinaries } from "../../server/src/media/media-binaries.js";

export interface ProgressData {
  jobId: string;
  status: RouterOutputs["jobs"]["get"]["status"];
  progress: number;
  error?: string | null | undefined;
}
export interface ProgressEvent {
  id: string;
  data: ProgressData;
}

/** A source uploaded as a browser would: createUpload, PUT the bytes to the URL, completeUpload. */
export async function uploadOverHttp(client: ReelbaseClient, file: string, title = "Clip"): Promise<string> {
  const bytes = await readFile(file);
  const video = await client.videos.create.mutate({ title });
  const upload = await client.videos.createUpload.mutate({
    id: video.id,
    filename: "clip.mp4",
    contentType: "video/mp4",
    sizeBytes: bytes.byteLength,
  });
  const put = await fetch(upload.uploadUrl, { method: upload.method, headers: upload.headers, body: bytes });
  if (!put.ok) throw new Error(`PUT ${upload.uploadUrl} answered ${put.status}`);
  const done = await client.videos.completeUpload.mutate({ id: video.id });
  if (done.status !== "UPLOADED") throw new Error(`the video is ${done.status} after completeUpload`);
  return video.id;
}

export interface ProgressWatch {
  events: ProgressEvent[];
  /** Resolves with every event once the server ends the stream (or `stopAfter` matched). */
  done: Promise<ProgressEvent[]>;
  stop(): void;
}

/**
 * jobs.onProgress through the client's SSE link. The stream ends by itself after a terminal state;
 * `stopAfter` unsubscribes earlier, as a client that goes away would.
 */
export function watchProgress(
  client: ReelbaseClient,
  jobId: string,
  options: { lastEventId?: string; stopAfter?: (event: ProgressEvent) => boolean; timeoutMs?: number } = {},
): ProgressWatch {
  const events: ProgressEvent[] = [];
  let settle: { resolve: (events: ProgressEvent[]) => void; reject: (error: unknown) => void } | undefined;
  const done = new Promise<ProgressEvent[]>((resolve, reject) => (settle = { resolve, reject }));
  const timer = setTimeout(() => {
    subscription.unsubscribe();
    settle?.reject(new Error(`no end of the progress stream in ${options.timeoutMs ?? 60_000} ms: ${JSON.stringify(events)}`));
  }, options.timeoutMs ?? 60_000);
  const finish = () => {
    clearTimeout(timer);
    settle?.resolve(events);
  };
  const input = options.lastEventId === undefined ? { id: jobId } : { id: jobId, lastEventId: options.lastEventId };
  const subscription = client.jobs.onProgress.subscribe(input, {
    onData: (envelope) => {
      const event = { id: envelope.id, data: envelope.data };
      events.push(event);
      if (options.stopAfter?.(event)) {
        subscription.unsubscribe();
        finish();
      }
    },
    onError: (error) => {
      clearTimeout(timer);
      subscription.unsubscribe();
      settle?.reject(error);
    },
    onComplete: finish,
  });
  return {
    events,
    done,
    stop: () => {
      subscription.unsubscribe();
      finish();
    },
  };
}

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
}

const { ffprobePath } = resolveMediaBinaries({ ffprobePath: process.env.FFPROBE_PATH, ffmpegPath: process.env.FFMPEG_PATH });

/** ffprobe's view of a file's streams: the independent check of what the transcoder wrote. */
export function probeStreams(file: string): Promise<ProbedStream[]> {
  return new Promise((resolve, reject) => {
    execFile(ffprobePath, ["-v", "error", "-show_streams", "-of", "json", file], (error, stdout) => {
      if (error) reject(error);
      else resolve((JSON.parse(stdout) as { streams: ProbedStream[] }).streams);
    });
  });
}
