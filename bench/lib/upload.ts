import { readFile } from "node:fs/promises";
import type { TrpcHttp } from "./trpc-http.js";

/** A source uploaded as a client would: createUpload, PUT, completeUpload. */
export async function uploadVideo(api: TrpcHttp, file: string, title = "bench"): Promise<string> {
  const bytes = await readFile(file);
  const video = await api.mutation<{ id: string }>("videos.create", { title });
  const target = await api.mutation<{ uploadUrl: string; headers: Record<string, string> }>("videos.createUpload", {
    id: video.id,
    filename: "clip.mp4",
    contentType: "video/mp4",
    sizeBytes: bytes.byteLength,
  });
  const put = await fetch(target.uploadUrl, { method: "PUT", headers: target.headers, body: bytes });
  if (!put.ok) throw new Error(`PUT answered ${put.status}`);
  await api.mutation("videos.completeUpload", { id: video.id });
  return video.id;
}
