import { ContainerModule } from "inversify";
import type { HealthCheck } from "../shared/application/health-check.js";
import { HEALTH_CHECK } from "../shared/application/health-check.js";
import { UNIT_OF_WORK, type UnitOfWork } from "../shared/application/unit-of-work.js";
import { DATABASE, type Database } from "./database.js";

export function databaseModule(database: Database): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(DATABASE).toConstantValue(database);
    bind<UnitOfWork>(UNIT_OF_WORK).toConstantValue({ run: (work) => database.transaction(work) });
    bind<HealthCheck>(HEALTH_CHECK).toConstantValue({ name: "database", check: () => database.ping() });
  });
}
