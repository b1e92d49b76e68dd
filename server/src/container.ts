import "reflect-metadata";
import { Container, ContainerModule } from "inversify";
import { APP_CONFIG, type AppConfig } from "./config/config.js";
import { databaseModule } from "./database/database.module.js";
import { openDatabase } from "./database/open-database.js";
import { auditModule } from "./modules/audit/audit.module.js";
import { identityModule } from "./modules/identity/identity.module.js";
import { videosModule } from "./modules/videos/videos.module.js";
import { openInfrastructure } from "./infrastructure.js";
import { CLOCK, systemClock, type Clock } from "./shared/application/clock.js";
import { LOGGER, type Logger } from "./shared/application/logger.js";
import { Lifecycle } from "./shared/lifecycle.js";

/** One line per context: adding a context is adding its folder and its module here. */
const contextModules = [identityModule, auditModule, videosModule];

export interface AppContainer {
  container: Container;
  lifecycle: Lifecycle;
}

/**
 * The composition root. Opens each resource in dependency order and registers it with the
 * lifecycle, which closes them in reverse; if a later step fails, the earlier ones are closed.
 */
export async function createAppContainer(config: AppConfig, logger: Logger, clock: Clock = systemClock): Promise<AppContainer> {
  const lifecycle = new Lifecycle(logger);
  try {
    const database = await openDatabase(config.database, logger);
    lifecycle.add("database", () => database.close());
    logger.info(
      `database: ${config.database.kind === "postgres" ? "PostgreSQL (DATABASE_URL)" : `PGlite (${config.database.dataDir})`}`,
    );

    const infrastructure = openInfrastructure(config, logger, clock, lifecycle);

    const container = new Container();
    container.load(
      new ContainerModule(({ bind }) => {
        bind(APP_CONFIG).toConstantValue(config);
        bind(LOGGER).toConstantValue(logger);
        bind(CLOCK).toConstantValue(clock);
      }),
      databaseModule(database),
      infrastructure,
      ...contextModules,
    );
    return { container, lifecycle };
  } catch (error) {
    await lifecycle.close();
    throw error;
  }
}
