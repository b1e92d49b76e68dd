import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Container } from "inversify";
import type { AppConfig } from "./config/config.js";
import { createAppContainer, type OpenedPlatform } from "./container.js";
import { createHttpApp } from "./http/app.js";
import { gracefulClose } from "./http/graceful-close.js";
import { withLivenessProbe } from "./http/liveness.js";
import { withSubscriptions } from "./http/subscriptions.listener.js";
import { startHousekeeping } from "./housekeeping/start-housekeeping.js";
import { startJobConsumer } from "./jobs-consumer.js";
import { startIntegrations } from "./start-integrations.js";
import { startMetricsPort, withMetricsEndpoint } from "./metrics/serve-metrics.js";
import { BootstrapAdminUseCase } from "./modules/identity/application/bootstrap-admin.use-case.js";
import { withPlaylists } from "./modules/videos/api/playlists.listener.js";
import { PlaybackViews } from "./modules/videos/application/playback-views.js";
import { ServePlaylists } from "./modules/videos/application/serve-playlists.js";
import type { Clock } from "./shared/application/clock.js";
import type { Logger } from "./shared/application/logger.js";
import type { Lifecycle } from "./shared/lifecycle.js";
import { PUBLIC_URL, type PublicUrl } from "./shared/application/public-url.js";

export interface RunningApi {
  url: string;
  /** METRICS_PORT set: where /metrics is served instead of `url`. */
  metricsUrl: string | undefined;
  container: Container;
  lifecycle: Lifecycle;
  close: () => Promise<void>;
}

/** Everything `npm start` does short of signal handling, so tests can run the real thing. */
export async function startApi(
  config: AppConfig,
  logger: Logger,
  clock?: Clock,
  opened: OpenedPlatform = {},
): Promise<RunningApi> {
  const { container, lifecycle } = await createAppContainer(config, logger, clock, opened);
  try {
    if (config.bootstrapAdmin) {
      const { user, created } = await container.get(BootstrapAdminUseCase).execute(config.bootstrapAdmin);
      logger.info(created ? `created administrator ${user.email}` : `administrator ${user.email} present`);
    }
    if (config.jobs.runInApi) {
      await startJobConsumer(container);
      startIntegrations(container, lifecycle);
      await startHousekeeping(container, lifecycle);
    }
    // HLS playlists and subscription streams ahead of express, like the liveness probe (docs/adr/0025, 0029).
    const app = withSubscriptions(
      withPlaylists(createHttpApp(container, config, logger), container.get(ServePlaylists), logger),
      container,
      config,
      logger,
    );
    const server = createServer(withLivenessProbe(withMetricsEndpoint(app, container, config)));
    const graceful = gracefulClose(server);
    server.listen(config.http.port, config.http.host);
    // Uploads to local storage may take many minutes: no cap on a whole request, but an idle
    // socket (no bytes either way for 2 minutes) is closed.
    server.requestTimeout = 0;
    server.setTimeout(120_000);
    await once(server, "listening");
    // Closed after the HTTP server (the lifecycle closes in reverse) and before the database: the
    // views of the last master playlists served are still written.
    lifecycle.add("playback views", () => container.get(PlaybackViews).settled());
    // In-flight requests get the grace period; connections still open after it are cut.
    lifecycle.add("http server", () => graceful.close(config.http.shutdownTimeoutMs));
    const { port } = server.address() as AddressInfo;
    const host = config.http.host === "0.0.0.0" ? "127.0.0.1" : config.http.host;
    const url = config.http.publicUrl ?? `http://${host}:${port}`;
    container.get<PublicUrl>(PUBLIC_URL).setIfUnset(url);
    const metricsUrl = await startMetricsPort(container, config, lifecycle, logger);
    return { url, metricsUrl, container, lifecycle, close: () => lifecycle.close() };
  } catch (error) {
    await lifecycle.close();
    throw error;
  }
}
