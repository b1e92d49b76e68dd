import { ContainerModule, type Newable } from "inversify";
import { APP_CONFIG, type AppConfig } from "../../config/config.js";
import { DOMAIN_EVENT_HANDLER } from "../../shared/application/event-outbox.js";
import { AttemptDelivery } from "./application/attempt-delivery.js";
import { ChangeWebhookUseCase } from "./application/change-webhook.use-case.js";
import { CreateWebhookUseCase } from "./application/create-webhook.use-case.js";
import { DeliveryWake } from "./application/delivery-wake.js";
import { SendWebhookUseCase } from "./application/send-webhook.use-case.js";
import { WebhookAccess } from "./application/webhook-access.js";
import { WEBHOOK_DELIVERY_REPOSITORY } from "./application/webhook-delivery.repository.js";
import { WEBHOOK_ENDPOINT_REPOSITORY } from "./application/webhook-endpoint.repository.js";
import { WebhookFanoutHandler } from "./application/webhook-fanout.handler.js";
import { WebhookQueries } from "./application/webhook-queries.js";
import { WEBHOOK_SECRETS, WEBHOOK_URL_POLICY } from "./application/webhook-secrets.js";
import { WEBHOOK_SENDER } from "./application/webhook-sender.js";
import { APP_CONFIG_WEBHOOKS, type WebhookDeliverySettings } from "./application/webhook-settings.js";
import { HttpWebhookSender } from "./infra/http-webhook-sender.js";
import { PrismaWebhookDeliveryRepository } from "./infra/prisma-webhook-delivery.repository.js";
import { PrismaWebhookEndpointRepository } from "./infra/prisma-webhook-endpoint.repository.js";
import { SealedWebhookSecrets } from "./infra/sealed-webhook-secrets.js";
import { DnsWebhookUrlPolicy } from "./infra/webhook-url-policy.js";

const useCases: Newable<object>[] = [
  WebhookAccess,
  WebhookQueries,
  CreateWebhookUseCase,
  ChangeWebhookUseCase,
  SendWebhookUseCase,
  AttemptDelivery,
  DeliveryWake,
];

export const webhooksModule = new ContainerModule(({ bind }) => {
  bind(WEBHOOK_ENDPOINT_REPOSITORY).to(PrismaWebhookEndpointRepository).inSingletonScope();
  bind(WEBHOOK_DELIVERY_REPOSITORY).to(PrismaWebhookDeliveryRepository).inSingletonScope();
  bind(WEBHOOK_SENDER).to(HttpWebhookSender).inSingletonScope();
  bind(WEBHOOK_SECRETS)
    .toDynamicValue((context) => new SealedWebhookSecrets(context.get<AppConfig>(APP_CONFIG).auth.jwtSecret))
    .inSingletonScope();
  bind(WEBHOOK_URL_POLICY)
    .toDynamicValue((context) => new DnsWebhookUrlPolicy(context.get<AppConfig>(APP_CONFIG).webhooks.allowedHosts))
    .inSingletonScope();
  bind<WebhookDeliverySettings>(APP_CONFIG_WEBHOOKS)
    .toDynamicValue((context) => context.get<AppConfig>(APP_CONFIG).webhooks)
    .inSingletonScope();
  bind(DOMAIN_EVENT_HANDLER).to(WebhookFanoutHandler).inSingletonScope();
  for (const useCase of useCases) bind(useCase).toSelf().inSingletonScope();
});
