/** How one attempt went, as the sender reports it. */
export type AttemptOutcome = "SUCCEEDED" | "FAILED" | "GONE" | "REFUSED";

export type DeliveryStatus = "PENDING" | "SUCCEEDED" | "FAILED";

export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastStatus: number | null;
  lastDurationMs: number | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What one attempt leads to, for the delivery and for its endpoint. */
export interface AttemptVerdict {
  delivery: { status: DeliveryStatus; nextAttemptAt: Date | null };
  /** "success" clears the endpoint's failure streak; "failure" extends it; "gone" disables it. */
  endpoint: "success" | "failure" | "gone";
}

/**
 * The rules of delivery: 2xx delivered; 410 disables the endpoint; a refused address is not
 * retried; any other failure is retried after `retryDelayMs` (null: the schedule is spent).
 */
export function judgeAttempt(outcome: AttemptOutcome, now: Date, retryDelayMs: number | null): AttemptVerdict {
  switch (outcome) {
    case "SUCCEEDED":
      return { delivery: { status: "SUCCEEDED", nextAttemptAt: null }, endpoint: "success" };
    case "GONE":
      return { delivery: { status: "FAILED", nextAttemptAt: null }, endpoint: "gone" };
    case "REFUSED":
      return { delivery: { status: "FAILED", nextAttemptAt: null }, endpoint: "failure" };
    case "FAILED":
      return retryDelayMs === null
        ? { delivery: { status: "FAILED", nextAttemptAt: null }, endpoint: "failure" }
        : { delivery: { status: "PENDING", nextAttemptAt: new Date(now.getTime() + retryDelayMs) }, endpoint: "failure" };
  }
}
