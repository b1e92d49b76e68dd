import { ErrorCodes, errorCodeOf, isReelbaseError } from "@reelbase/client";
import { client, type RouterOutputs } from "../api/client";
import { saveUpload } from "./saved-uploads";
import { MultipartUpload, type UploaderOptions } from "./uploader";
import { xhrTransport } from "./xhr-transport";

export type Video = RouterOutputs["videos"]["get"];

/** Refusals the server answers that are worth asking again: it is overloaded or a dependency is down. */
const TRANSIENT: ReadonlySet<string | undefined> = new Set([
  ErrorCodes.RATE_LIMITED,
  ErrorCodes.DEPENDENCY_UNAVAILABLE,
  ErrorCodes.STORAGE_UNAVAILABLE,
]);

/** The saved session is gone on the server (completed, aborted, expired): start a new one. */
export function isSessionGone(error: unknown): boolean {
  const code = errorCodeOf(error);
  return code === ErrorCodes.UPLOAD_SESSION_NOT_ACTIVE || code === ErrorCodes.UPLOAD_SESSION_NOT_FOUND;
}

function isRetryableApiError(error: unknown): boolean {
  return !isReelbaseError(error) || TRANSIENT.has(errorCodeOf(error));
}

/** The uploader wired to the API client and XHR, for one file to one video; its session is saved for a resume after a reload. */
export function browserUpload(
  file: File,
  videoId: string,
  onProgress: NonNullable<UploaderOptions<Blob, Video>["onProgress"]>,
): MultipartUpload<Blob, Video> {
  return new MultipartUpload<Blob, Video>(
    file,
    { videoId, filename: plainFileName(file.name), contentType: videoContentType(file) },
    {
      api: {
        create: (input) => client.uploads.create.mutate(input),
        signParts: (input) => client.uploads.signParts.mutate(input),
        listParts: (input) => client.uploads.listParts.query(input),
        complete: (input) => client.uploads.complete.mutate(input),
        abort: (input) => client.uploads.abort.mutate(input),
      },
      transport: xhrTransport,
      onProgress,
      onSession: (session) => saveUpload(videoId, file, session),
      isRetryableApiError,
    },
  );
}

/** Browsers leave `type` empty for containers they do not know (often .mkv); the server wants a video/* type. */
const BY_EXTENSION: Record<string, string> = {
  mp4: "video/mp4",
  m4v: "video/mp4",
  mov: "video/quicktime",
  webm: "video/webm",
  mkv: "video/x-matroska",
  avi: "video/x-msvideo",
  ts: "video/mp2t",
  mpg: "video/mpeg",
  mpeg: "video/mpeg",
};

export function videoContentType(file: { name: string; type: string }): string {
  if (file.type.startsWith("video/")) return file.type;
  const extension = file.name.split(".").pop()?.toLowerCase() ?? "";
  // Only a label for downloads: uploads.complete probes the bytes and refuses what is not a video.
  return BY_EXTENSION[extension] ?? "video/mp4";
}

/** The server keeps the name for downloads: at most 255 characters, no control characters. */
function plainFileName(name: string): string {
  const cleaned = [...name].filter((character) => (character.codePointAt(0) ?? 0) >= 0x20 && character !== "\u007f").join("");
  return (cleaned.trim() || "video").slice(0, 255);
}
