import type { RouterOutputs } from "../api/client";

export type VideoStatusValue = RouterOutputs["videos"]["get"]["status"];

/** States a video leaves by itself (an upload finishing, a job ending): pages showing one poll until it settles. */
const MOVING: ReadonlySet<VideoStatusValue> = new Set(["UPLOADING", "PROCESSING"]);

export function isMoving(status: VideoStatusValue): boolean {
  return MOVING.has(status);
}

/** How often a page showing a moving video asks again. */
export const MOVING_REFETCH_MS = 3000;

/** The status as the API names it, so what a test or a support request quotes is the API's word. */
export function VideoStatus({ status }: { status: VideoStatusValue }) {
  return (
    <span className={`status status-${status.toLowerCase()}`} data-testid="video-status">
      {status}
    </span>
  );
}
