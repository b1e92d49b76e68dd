import { DomainError } from "../../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../../shared/domain/error-codes.js";

export const WebhookErrors = {
  /** Also for another user's endpoint: its existence is not revealed. */
  notFound: () => new DomainError(ErrorCodes.WEBHOOK_NOT_FOUND, "NOT_FOUND", "Webhook endpoint not found"),
  deliveryNotFound: () => new DomainError(ErrorCodes.WEBHOOK_DELIVERY_NOT_FOUND, "NOT_FOUND", "Webhook delivery not found"),
  urlRefused: (reason: string) =>
    new DomainError(ErrorCodes.WEBHOOK_URL_REFUSED, "BAD_REQUEST", `This URL cannot receive webhooks: ${reason}`, { reason }),
  limitReached: (limit: number) =>
    new DomainError(ErrorCodes.WEBHOOK_LIMIT_REACHED, "BUSINESS_RULE", `An account can have at most ${limit} webhook endpoints`, {
      limit,
    }),
  invalidEvents: () =>
    new DomainError(ErrorCodes.VALIDATION_FAILED, "BAD_REQUEST", "Name at least one event, each once", { field: "events" }),
};
