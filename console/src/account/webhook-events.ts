import type { RouterInputs } from "../api/client";

export type WebhookEventType = RouterInputs["webhooks"]["create"]["events"][number];

/** The server's EVENT_TYPES restated; keyed by the input's type so tsc notices when they drift apart. */
const EVENT_DESCRIPTIONS: Record<WebhookEventType, string> = {
  "video.uploaded": "an upload finished",
  "video.ready": "a video can be played",
  "video.failed": "a video could not be processed",
  "video.deleted": "a video was deleted",
  "job.succeeded": "a job finished",
  "job.failed": "a job failed",
  "job.cancelled": "a job was cancelled",
  "credits.low": "the credit balance ran low",
};

export const WEBHOOK_EVENT_TYPES = Object.keys(EVENT_DESCRIPTIONS) as WebhookEventType[];

export function eventDescription(event: WebhookEventType): string {
  return EVENT_DESCRIPTIONS[event];
}
