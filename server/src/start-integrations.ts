import type { Container } from "inversify";
import { APP_CONFIG, type AppConfig } from "./config/config.js";
import { DATABASE, type Database } from "./database/database.js";
import { AttemptDelivery } from "./modules/webhooks/application/attempt-delivery.js";
import { DeliveryWake } from "./modules/webhooks/application/delivery-wake.js";
import {
  WEBHOOK_DELIVERY_REPOSITORY,
  type WebhookDeliveryRepository,
} from "./modules/webhooks/application/webhook-delivery.repository.js";
import { WEBHOOK_SENDER } from "./modules/webhooks/application/webhook-sender.js";
import type { HttpWebhookSender } from "./modules/webhooks/infra/http-webhook-sender.js";
import { DeliveryWorker } from "./modules/webhooks/infra/delivery-worker.js";
import { OutboxRelay } from "./outbox/outbox-relay.js";
import type { PrismaEventOutbox } from "./outbox/prisma-event-outbox.js";
import { CLOCK, type Clock } from "./shared/application/clock.js";
import { DOMAIN_EVENT_HANDLER, EVENT_OUTBOX, type DomainEventHandler } from "./shared/application/event-outbox.js";
import { LOGGER, type Logger } from "./shared/application/logger.js";
import type { Lifecycle } from "./shared/lifecycle.js";

/**
 * Starts, in a process that runs jobs, the relay that hands outbox events to the contexts that
 * react (docs/adr/0023) and the worker that delivers webhooks. Every such process runs both; they
 * share the work through the tables, so scaling workers scales delivery too.
 */
export function startIntegrations(container: Container, lifecycle: Lifecycle): { close(): Promise<void> } {
  const config = container.get<AppConfig>(APP_CONFIG);
  const logger = container.get<Logger>(LOGGER);
  const clock = container.get<Clock>(CLOCK);
  const relay = new OutboxRelay(
    container.get<Database>(DATABASE),
    container.getAll<DomainEventHandler>(DOMAIN_EVENT_HANDLER),
    clock,
    logger,
  );
  const worker = new DeliveryWorker(
    container.get<WebhookDeliveryRepository>(WEBHOOK_DELIVERY_REPOSITORY),
    container.get(AttemptDelivery),
    clock,
    logger,
    { concurrency: config.webhooks.concurrency, attemptTimeoutMs: config.webhooks.timeoutMs },
  );
  container.get<PrismaEventOutbox>(EVENT_OUTBOX).onAppended(() => relay.wake());
  container.get(DeliveryWake).onWake(() => worker.wake());
  const close = async () => {
    await relay.close();
    await worker.close();
    await container.get<HttpWebhookSender>(WEBHOOK_SENDER).close();
  };
  lifecycle.add("outbox relay and webhook delivery", close);
  relay.start();
  worker.start();
  return { close };
}
