import { createHmac } from "node:crypto";
import { availableParallelism } from "node:os";
import { z } from "zod";
import { crossVariableProblems, DEV_JWT_SECRET, envSchema } from "./config.schema.js";
import type { RateLimitName, RateLimitRule } from "../shared/application/rate-limits.js";

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
    /** The built web console, served at `/` (docs/console.md). */
    consoleDir: string;
  };
  log: { level: "error" | "warn" | "info" | "http" | "debug" | "silent" };
  metrics: MetricsConfig;
  database: { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };
  redisUrl: string | undefined;
  auth: {
    jwtSecret: string;
    issuer: string;
    audience: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlDays: number;
    argon2: { memoryKib: number; timeCost: number };
    /** Password hashes/verifies computed at once; the others queue, so the event loop keeps a core. */
    passwordHashConcurrency: number;
  };
  bootstrapAdmin: { email: string; password: string } | undefined;
  storage: StorageConfig;
  /** Timeout, retries and breaker of object-storage calls (S3; local disk has none). */
  storageResilience: { timeoutMs: number; maxRetries: number; breakerThreshold: number; halfOpenAfterMs: number };
  files: { signingSecret: string; uploadUrlTtlSeconds: number; downloadUrlTtlSeconds: number; maxUploadBytes: number };
  media: { ffprobePath: string | undefined; ffmpegPath: string | undefined };
  /** The HMAC key of playback tokens (/play/{token}/…, docs/playback.md). */
  playback: { tokenSecret: string };
  cache: { ttlSeconds: number };
  rateLimits: RateLimitsConfig;
  /** With Redis, `npm run worker` runs jobs; RUN_JOBS_IN_API makes the API run them too. Without Redis the API always does. */
  jobs: { concurrency: number; queuePrefix: string; runInApi: boolean; lockMs: number; stalledIntervalMs: number };
  generation: GenerationConfig;
  housekeeping: HousekeepingConfig;
  webhooks: WebhooksConfig;
}

/** Webhook delivery (docs/webhooks.md). */
export interface WebhooksConfig {
  /** Hosts (exactly as written in a URL) that skip the public-address check, and may use http:. */
  allowedHosts: string[];
  /** Waits before the 2nd, 3rd, … attempt (jittered); the first attempt is at once. */
  retryDelaysMs: number[];
  timeoutMs: number;
  /** An endpoint failing without a success for this long is disabled. */
  disableAfterMs: number;
  /** Deliveries sent at once per process, so one slow receiver never holds up the others. */
  concurrency: number;
  /** `credits.low` fires when a charge takes the balance under this. */
  creditsLowThreshold: number;
}

/** About 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h: a receiver has two days or more to come back. */
export const DEFAULT_WEBHOOK_RETRY_DELAYS_MS = [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400].map((s) => s * 1000);

/** Scheduled chores: a BullMQ job scheduler with Redis (run by workers), a timer in the API without it. */
export interface HousekeepingConfig {
  enabled: boolean;
  intervalMs: number;
  /** An upload still UPLOADING this long after its URL expired is abandoned: back to DRAFT, its object removed. */
  abandonedUploadMarginSeconds: number;
  /** An ended job forgets its idempotency key this long after it was created, so the key can be used again. */
  idempotencyRetentionHours: number;
}

/**
 * GET /metrics: on its own port when `port` is set, else on the API's port when a token is set or
 * outside production; `token` set, a scrape needs `Authorization: Bearer <token>`.
 */
export interface MetricsConfig {
  enabled: boolean;
  token: string | undefined;
  port: number | undefined;
}

/**
 * Points per window for each limit (docs/adr/0020). With Redis every API process spends one budget,
 * kept under `keyPrefix` (the deployment's QUEUE_PREFIX); `enabled: false` counts nothing.
 */
export interface RateLimitsConfig {
  enabled: boolean;
  keyPrefix: string;
  rules: Record<RateLimitName, RateLimitRule>;
}

/** `remote` unset: the local provider. The knobs apply to the remote one (docs/generation-provider.md). */
export interface GenerationConfig {
  remote: { url: string; apiKey: string } | undefined;
  pollIntervalMs: number;
  /** Per provider call (and the longest silence while downloading the result). */
  timeoutMs: number;
  maxResultBytes: number;
  maxRetries: number;
  breakerThreshold: number;
  halfOpenAfterMs: number;
  /** Longest one provider video may stay queued/processing before the attempt is given up. */
  maxWaitMs: number;
}

export type StorageConfig =
  | {
      kind: "s3";
      bucket: string;
      endpoint: string | undefined;
      /** Where clients reach the same server (presigned URLs are signed for this host), if not `endpoint`. */
      publicEndpoint: string | undefined;
      region: string;
      forcePathStyle: boolean;
      credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
    }
  | { kind: "local"; dir: string };

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
      consoleDir: env.CONSOLE_DIR,
    },
    log: { level: env.LOG_LEVEL },
    metrics: { enabled: env.METRICS === "on", token: env.METRICS_TOKEN, port: env.METRICS_PORT },
    database: env.DATABASE_URL ? { kind: "postgres", url: env.DATABASE_URL } : { kind: "pglite", dataDir: env.PGLITE_DATA_DIR },
    redisUrl: env.REDIS_URL,
    auth: {
      jwtSecret: env.JWT_SECRET ?? DEV_JWT_SECRET,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
      argon2: { memoryKib: env.ARGON2_MEMORY_KIB, timeCost: env.ARGON2_TIME_COST },
      passwordHashConcurrency: env.PASSWORD_HASH_CONCURRENCY ?? defaultPasswordHashConcurrency(),
    },
    bootstrapAdmin:
      env.BOOTSTRAP_ADMIN_EMAIL && env.BOOTSTRAP_ADMIN_PASSWORD
        ? { email: env.BOOTSTRAP_ADMIN_EMAIL, password: env.BOOTSTRAP_ADMIN_PASSWORD }
        : undefined,
    storage: env.S3_BUCKET
      ? {
          kind: "s3",
          bucket: env.S3_BUCKET,
          endpoint: env.S3_ENDPOINT,
          publicEndpoint: env.S3_PUBLIC_ENDPOINT,
          region: env.S3_REGION,
          forcePathStyle: env.S3_FORCE_PATH_STYLE,
          credentials:
            env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
              ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
              : undefined,
        }
      : { kind: "local", dir: env.LOCAL_STORAGE_DIR },
    storageResilience: {
      timeoutMs: env.STORAGE_TIMEOUT_MS,
      maxRetries: env.STORAGE_MAX_RETRIES,
      breakerThreshold: env.STORAGE_BREAKER_THRESHOLD,
      halfOpenAfterMs: env.STORAGE_BREAKER_HALF_OPEN_MS,
    },
    files: {
      // Local file URLs are signed with a key derived from the JWT secret, so production's
      // strong-secret rule covers them and a leaked file URL key cannot mint access tokens.
      signingSecret: createHmac("sha256", env.JWT_SECRET ?? DEV_JWT_SECRET)
        .update("reelbase/files/v1")
        .digest("hex"),
      uploadUrlTtlSeconds: env.UPLOAD_URL_TTL_SECONDS,
      downloadUrlTtlSeconds: env.DOWNLOAD_URL_TTL_SECONDS,
      maxUploadBytes: env.MAX_UPLOAD_BYTES,
    },
    media: { ffprobePath: env.FFPROBE_PATH, ffmpegPath: env.FFMPEG_PATH },
    playback: {
      // Derived like the file URL key when not set: production's JWT_SECRET rule then covers it too.
      tokenSecret:
        env.PLAYBACK_TOKEN_SECRET ??
        createHmac("sha256", env.JWT_SECRET ?? DEV_JWT_SECRET)
          .update("reelbase/playback/v1")
          .digest("hex"),
    },
    cache: { ttlSeconds: env.CACHE_TTL_SECONDS },
    rateLimits: {
      enabled: env.RATE_LIMITS === "on",
      keyPrefix: `${env.QUEUE_PREFIX}:rl`,
      rules: {
        caller: { points: env.RATE_LIMIT_CALLER_POINTS, windowSeconds: env.RATE_LIMIT_CALLER_WINDOW_SECONDS },
        ip: { points: env.RATE_LIMIT_IP_POINTS, windowSeconds: env.RATE_LIMIT_IP_WINDOW_SECONDS },
        login: { points: env.RATE_LIMIT_LOGIN_POINTS, windowSeconds: env.RATE_LIMIT_LOGIN_WINDOW_SECONDS },
        register: { points: env.RATE_LIMIT_REGISTER_POINTS, windowSeconds: env.RATE_LIMIT_REGISTER_WINDOW_SECONDS },
        upload: { points: env.RATE_LIMIT_UPLOAD_POINTS, windowSeconds: env.RATE_LIMIT_UPLOAD_WINDOW_SECONDS },
      },
    },
    jobs: {
      concurrency: env.JOB_CONCURRENCY,
      queuePrefix: env.QUEUE_PREFIX,
      runInApi: env.RUN_JOBS_IN_API || !env.REDIS_URL,
      lockMs: env.QUEUE_LOCK_MS,
      stalledIntervalMs: env.QUEUE_STALLED_INTERVAL_MS,
    },
    generation: {
      remote:
        env.GENERATION_PROVIDER_URL && env.GENERATION_PROVIDER_API_KEY
          ? { url: env.GENERATION_PROVIDER_URL, apiKey: env.GENERATION_PROVIDER_API_KEY }
          : undefined,
      pollIntervalMs: env.GENERATION_POLL_INTERVAL_MS,
      timeoutMs: env.GENERATION_TIMEOUT_MS,
      maxResultBytes: env.GENERATION_MAX_RESULT_BYTES,
      maxRetries: env.GENERATION_MAX_RETRIES,
      breakerThreshold: env.GENERATION_BREAKER_THRESHOLD,
      halfOpenAfterMs: env.GENERATION_BREAKER_HALF_OPEN_MS,
      maxWaitMs: env.GENERATION_MAX_WAIT_MS,
    },
    housekeeping: {
      enabled: env.HOUSEKEEPING === "on",
      intervalMs: env.HOUSEKEEPING_INTERVAL_MS,
      abandonedUploadMarginSeconds: env.ABANDONED_UPLOAD_MARGIN_SECONDS,
      idempotencyRetentionHours: env.IDEMPOTENCY_RETENTION_HOURS,
    },
    webhooks: {
      allowedHosts: env.WEBHOOK_ALLOWED_HOSTS,
      retryDelaysMs: env.WEBHOOK_RETRY_DELAYS_MS ?? DEFAULT_WEBHOOK_RETRY_DELAYS_MS,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      disableAfterMs: Math.round(env.WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000),
      concurrency: env.WEBHOOK_CONCURRENCY,
      creditsLowThreshold: env.CREDITS_LOW_THRESHOLD,
    },
  };
}

/** Every core but one, so a burst of logins cannot take the event loop's core: 1 on a 2-core machine. */
export function defaultPasswordHashConcurrency(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** Names the variable and the rule, never the value: a bad value may be a secret. */
function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join(".") || "(environment)"}: ${issue.message}`);
}
