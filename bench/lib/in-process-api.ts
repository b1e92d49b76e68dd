import "reflect-metadata";
import { startApi, type RunningApi } from "../../server/src/bootstrap.js";
import { loadConfig } from "../../server/src/config/config.js";
import { createWinstonLogger } from "../../server/src/logging/winston-logger.js";

/** Production settings except the secret; the bench never uses the environment it was started in. */
export const BENCH_ENV: Record<string, string> = {
  NODE_ENV: "production",
  HOST: "127.0.0.1",
  PORT: "0",
  LOG_LEVEL: "silent",
  JWT_SECRET: "bench-only-secret-0123456789abcdef-0123456789abcdef",
  ACCESS_TOKEN_TTL_SECONDS: "3600",
};

/** The real API (startApi, as `npm start` runs it) in this process, listening on a random port of 127.0.0.1. */
export async function startInProcessApi(env: Record<string, string>): Promise<RunningApi> {
  const config = loadConfig({ ...BENCH_ENV, ...env });
  const logger = createWinstonLogger({ level: "silent", json: true });
  return startApi(config, logger);
}
