import { ContainerModule } from "inversify";
import { PLATFORM_STATS_READER } from "./application/platform-stats-reader.js";
import { PlatformStatsQuery } from "./application/platform-stats.query.js";
import { PrismaPlatformStatsReader } from "./infra/prisma-platform-stats-reader.js";

export const statsModule = new ContainerModule(({ bind }) => {
  bind(PLATFORM_STATS_READER).to(PrismaPlatformStatsReader).inSingletonScope();
  bind(PlatformStatsQuery).toSelf().inSingletonScope();
});
