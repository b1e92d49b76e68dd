import { z } from "zod";
import { crossVariableProblems, DEV_JWT_SECRET, envSchema } from "./config.schema.js";

export interface AppConfig {
  env: "development" | "production" | "test";
  isProduction: boolean;
  http: {
    host: string;
    port: number;
    publicUrl: string | undefined;
    trustProxy: boolean;
    corsOrigins: string[];
    bodyLimit: string;
    shutdownTimeoutMs: number;
  };
  log: { level: "error" | "warn" | "info" | "http" | "debug" | "silent" };
  database: { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };
  redisUrl: string | undefined;
  auth: {
    jwtSecret: string;
    issuer: string;
    audience: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlDays: number;
    argon2: { memoryKib: number; timeCost: number };
  };
  bootstrapAdmin: { email: string; password: string } | undefined;
}

export const APP_CONFIG = Symbol.for("AppConfig");

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Reads the environment once. Every bad variable is named in one error, never one at a time. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = envSchema.safeParse(raw);
  const problems = [...(parsed.success ? [] : describeIssues(parsed.error)), ...crossVariableProblems(raw)];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const env = parsed.data;
  return {
    env: env.NODE_ENV,
    isProduction: env.NODE_ENV === "production",
    http: {
      host: env.HOST,
      port: env.PORT,
      publicUrl: env.PUBLIC_URL,
      trustProxy: env.TRUST_PROXY,
      corsOrigins: env.CORS_ORIGINS,
      bodyLimit: env.BODY_LIMIT,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    },
    log: { level: env.LOG_LEVEL },
    database: env.DATABASE_URL ? { kind: "postgres", url: env.DATABASE_URL } : { kind: "pglite", dataDir: env.PGLITE_DATA_DIR },
    redisUrl: env.REDIS_URL,
    auth: {
      jwtSecret: env.JWT_SECRET ?? DEV_JWT_SECRET,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
      argon2: { memoryKib: env.ARGON2_MEMORY_KIB, timeCost: env.ARGON2_TIME_COST },
    },
    bootstrapAdmin:
      env.BOOTSTRAP_ADMIN_EMAIL && env.BOOTSTRAP_ADMIN_PASSWORD
        ? { email: env.BOOTSTRAP_ADMIN_EMAIL, password: env.BOOTSTRAP_ADMIN_PASSWORD }
        : undefined,
  };
}

/** Names the variable and the rule, never the value: a bad value may be a secret. */
function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join(".") || "(environment)"}: ${issue.message}`);
}
