import { okSchema, OK } from "../../../shared/api/schemas.js";
import { router, scopedProcedure } from "../../../trpc/init.js";
import { endpointView } from "../application/endpoint-view.js";
import { ChangeWebhookUseCase } from "../application/change-webhook.use-case.js";
import { CreateWebhookUseCase } from "../application/create-webhook.use-case.js";
import { SendWebhookUseCase } from "../application/send-webhook.use-case.js";
import { WebhookQueries } from "../application/webhook-queries.js";
import type { WebhookDelivery } from "../domain/webhook-delivery.js";
import type { WebhookEndpoint } from "../domain/webhook-endpoint.js";
import {
  createWebhookInput,
  deliveriesInput,
  deliveryIdInput,
  deliveryOutput,
  deliveryPageOutput,
  testWebhookOutput,
  updateWebhookInput,
  webhookIdInput,
  webhookListOutput,
  webhookOutput,
  webhookWithSecretOutput,
} from "./webhooks.schemas.js";

const owner = scopedProcedure("webhooks:write");

const withSecret = (endpoint: WebhookEndpoint) => ({ ...endpointView(endpoint), secret: endpoint.secret });

function toDeliveryDto(delivery: WebhookDelivery) {
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    lastStatus: delivery.lastStatus,
    lastDurationMs: delivery.lastDurationMs,
    lastError: delivery.lastError,
    nextAttemptAt: delivery.nextAttemptAt?.toISOString() ?? null,
    createdAt: delivery.createdAt.toISOString(),
    updatedAt: delivery.updatedAt.toISOString(),
  };
}

/** Webhook endpoints and their delivery log: the caller's own only (another user's are 404). */
export const webhooksRouter = router({
  create: owner
    .input(createWebhookInput)
    .output(webhookWithSecretOutput)
    .mutation(async ({ ctx, input }) => withSecret(await ctx.resolve(CreateWebhookUseCase).execute(ctx.caller, input))),

  list: owner
    .output(webhookListOutput)
    .query(async ({ ctx }) => ({ items: (await ctx.resolve(WebhookQueries).list(ctx.caller)).map(endpointView) })),

  get: owner
    .input(webhookIdInput)
    .output(webhookOutput)
    .query(async ({ ctx, input }) => endpointView(await ctx.resolve(WebhookQueries).get(ctx.caller, input.id))),

  update: owner
    .input(updateWebhookInput)
    .output(webhookOutput)
    .mutation(async ({ ctx, input: { id, ...changes } }) =>
      endpointView(await ctx.resolve(ChangeWebhookUseCase).update(ctx.caller, id, changes)),
    ),

  rotateSecret: owner
    .input(webhookIdInput)
    .output(webhookWithSecretOutput)
    .mutation(async ({ ctx, input }) => withSecret(await ctx.resolve(ChangeWebhookUseCase).rotateSecret(ctx.caller, input.id))),

  delete: owner
    .input(webhookIdInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      await ctx.resolve(ChangeWebhookUseCase).delete(ctx.caller, input.id);
      return OK;
    }),

  test: owner
    .input(webhookIdInput)
    .output(testWebhookOutput)
    .mutation(async ({ ctx, input }) => ctx.resolve(SendWebhookUseCase).test(ctx.caller, input.id)),

  deliveries: owner
    .input(deliveriesInput)
    .output(deliveryPageOutput)
    .query(async ({ ctx, input: { endpointId, cursor, limit } }) => {
      const page = await ctx.resolve(WebhookQueries).deliveriesOf(ctx.caller, endpointId, { cursor, limit });
      return { items: page.items.map(toDeliveryDto), nextCursor: page.nextCursor };
    }),

  redeliver: owner
    .input(deliveryIdInput)
    .output(deliveryOutput)
    .mutation(async ({ ctx, input }) =>
      toDeliveryDto(await ctx.resolve(SendWebhookUseCase).redeliver(ctx.caller, input.deliveryId)),
    ),
});
