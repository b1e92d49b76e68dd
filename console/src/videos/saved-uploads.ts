import type { UploadSession } from "./uploader";

/**
 * Open upload sessions, kept in localStorage by video so an upload interrupted by a reload or a
 * closed tab resumes when the same file is chosen again. A File cannot be stored, so the file is
 * recognised by its name, size and modification time.
 */
export interface SavedUpload extends UploadSession {
  videoId: string;
  fileName: string;
  fileSize: number;
  lastModified: number;
  savedAt: number;
}

const KEY = "reelbase.console.uploads";
/** A session lasts 24 hours on the server (docs/uploads.md); past that there is nothing to resume. */
const SESSION_MS = 24 * 60 * 60 * 1000;

function isSaved(value: unknown): value is SavedUpload {
  if (typeof value !== "object" || value === null) return false;
  const saved = value as Record<string, unknown>;
  return (
    typeof saved.videoId === "string" &&
    typeof saved.uploadId === "string" &&
    typeof saved.partSize === "number" &&
    typeof saved.partCount === "number" &&
    typeof saved.fileName === "string" &&
    typeof saved.fileSize === "number" &&
    typeof saved.lastModified === "number" &&
    typeof saved.savedAt === "number"
  );
}

function readAll(): SavedUpload[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter(isSaved).filter((saved) => Date.now() - saved.savedAt < SESSION_MS) : [];
  } catch {
    return [];
  }
}

function writeAll(saved: SavedUpload[]): void {
  try {
    if (saved.length === 0) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, JSON.stringify(saved));
  } catch {
    // Storage full or blocked: the upload still works, it just cannot resume after a reload.
  }
}

export function saveUpload(videoId: string, file: File, session: UploadSession): void {
  const entry: SavedUpload = {
    videoId,
    uploadId: session.uploadId,
    partSize: session.partSize,
    partCount: session.partCount,
    fileName: file.name,
    fileSize: file.size,
    lastModified: file.lastModified,
    savedAt: Date.now(),
  };
  writeAll([...readAll().filter((saved) => saved.videoId !== videoId), entry]);
}

export function savedUploadFor(videoId: string): SavedUpload | null {
  return readAll().find((saved) => saved.videoId === videoId) ?? null;
}

export function isSameFile(saved: SavedUpload, file: File): boolean {
  return saved.fileName === file.name && saved.fileSize === file.size && saved.lastModified === file.lastModified;
}

export function forgetUpload(videoId: string): void {
  writeAll(readAll().filter((saved) => saved.videoId !== videoId));
}
