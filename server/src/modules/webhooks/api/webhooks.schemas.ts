import { z } from "zod";
import { idSchema, isoDateTime, pageInput, pageOutput, text } from "../../../shared/api/schemas.js";
import { EVENT_TYPES } from "../../../shared/domain/domain-event.js";
import { DESCRIPTION_MAX_LENGTH } from "../domain/webhook-endpoint.js";

const urlSchema = z
  .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
  .max(2048)
  .refine((value) => !value.includes("\u0000"), "must not contain NUL characters")
  .describe("https:// (http:// only for hosts in WEBHOOK_ALLOWED_HOSTS); must not point at a private address");
const eventsSchema = z
  .array(z.enum(EVENT_TYPES))
  .min(1)
  .max(EVENT_TYPES.length)
  .refine((events) => new Set(events).size === events.length, "must not name an event twice");
const descriptionSchema = text.trim().max(DESCRIPTION_MAX_LENGTH);

export const createWebhookInput = z.object({ url: urlSchema, events: eventsSchema, description: descriptionSchema.optional() });

export const updateWebhookInput = z.object({
  id: idSchema,
  url: urlSchema.optional(),
  events: eventsSchema.optional(),
  description: descriptionSchema.optional(),
  enabled: z.boolean().optional().describe("true turns a DISABLED endpoint back on; false turns it off"),
});

export const webhookIdInput = z.object({ id: idSchema });
export const deliveriesInput = z.object({ endpointId: idSchema, ...pageInput });
export const deliveryIdInput = z.object({ deliveryId: idSchema });

export const webhookOutput = z.object({
  id: idSchema,
  url: z.string(),
  description: z.string(),
  events: z.array(z.string()),
  status: z.enum(["ACTIVE", "DISABLED"]),
  disabledReason: z.string().nullable(),
  failureCount: z.number().int(),
  failingSince: isoDateTime.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});

/** create and rotateSecret: the only answers that carry the secret. */
export const webhookWithSecretOutput = webhookOutput.extend({
  secret: z.string().describe("whsec_…: shown this once; verify signatures with it"),
});

export const webhookListOutput = z.object({ items: z.array(webhookOutput) });

export const deliveryOutput = z.object({
  id: idSchema,
  endpointId: idSchema,
  eventId: z.string(),
  eventType: z.string(),
  status: z.enum(["PENDING", "SUCCEEDED", "FAILED"]),
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable(),
  lastDurationMs: z.number().int().nullable(),
  lastError: z.string().nullable(),
  nextAttemptAt: isoDateTime.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});

export const deliveryPageOutput = pageOutput(deliveryOutput);
export const testWebhookOutput = z.object({ eventId: z.string() });
