export const VIDEO_STATUSES = ["DRAFT", "UPLOADING", "UPLOADED", "PROCESSING", "READY", "FAILED"] as const;
export type VideoStatus = (typeof VIDEO_STATUSES)[number];

/**
 * The lifecycle of docs/product-contract.md §1.2. An upload may be re-issued while UPLOADING (a new URL after
 * the old one expired) and falls back to DRAFT when the uploaded file is not a video.
 * A generated video skips the upload: DRAFT → PROCESSING. Cancelling the only processing of an
 * uploaded video takes it back to UPLOADED.
 */
const ALLOWED: Record<VideoStatus, readonly VideoStatus[]> = {
  DRAFT: ["UPLOADING", "PROCESSING"],
  UPLOADING: ["UPLOADING", "UPLOADED", "DRAFT"],
  UPLOADED: ["PROCESSING"],
  PROCESSING: ["READY", "FAILED", "UPLOADED"],
  READY: ["PROCESSING"],
  FAILED: ["PROCESSING"],
};

export function canTransition(from: VideoStatus, to: VideoStatus): boolean {
  return ALLOWED[from].includes(to);
}
