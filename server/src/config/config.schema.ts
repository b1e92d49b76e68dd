import { z } from "zod";

export const DEV_JWT_SECRET = "reelbase-development-secret-do-not-use-in-production";

const booleanFlag = z.enum(["true", "false", "1", "0"]).transform((value) => value === "true" || value === "1");

const csv = z.string().transform((value) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  TRUST_PROXY: booleanFlag.default(false),
  LOG_LEVEL: z.enum(["error", "warn", "info", "http", "debug", "silent"]).default("info"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL")
    .optional(),
  PGLITE_DATA_DIR: z.string().min(1).default("./data/pg"),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// URL")
    .optional(),
  JWT_SECRET: z.string().min(1).optional(),
  JWT_ISSUER: z.string().min(1).default("reelbase"),
  JWT_AUDIENCE: z.string().min(1).default("reelbase-api"),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(1024).default(19456),
  ARGON2_TIME_COST: z.coerce.number().int().min(1).default(2),
  // Unset: one less than the cores (see config.ts). Above UV_THREADPOOL_SIZE (4) it no longer bounds anything.
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(1024).optional(),
  CORS_ORIGINS: csv.default([]),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, "must look like 100kb or 1mb")
    .default("1mb"),
  BOOTSTRAP_ADMIN_EMAIL: z.email().optional(),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(10).optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  // GET /metrics (docs/metrics.md): METRICS=off records nothing and serves nothing (a bench's baseline).
  METRICS: z.enum(["on", "off"]).default("on"),
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  S3_BUCKET: z.string().min(3).optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_PUBLIC_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().min(1).default("us-east-1"),
  S3_FORCE_PATH_STYLE: booleanFlag.default(false),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  LOCAL_STORAGE_DIR: z.string().min(1).default("./data/objects"),
  // The built web console served at / (npm install builds it there); a folder without index.html serves none.
  CONSOLE_DIR: z.string().min(1).default("./console/dist"),
  UPLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(604_800).default(3600),
  // Unset: derived from JWT_SECRET (like local file URLs); set it to rotate playback tokens on their own.
  PLAYBACK_TOKEN_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  DOWNLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(604_800).default(3600),
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(5 * 1024 ** 3)
    .default(5 * 1024 ** 3),
  FFPROBE_PATH: z.string().min(1).optional(),
  FFMPEG_PATH: z.string().min(1).optional(),
  CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  // Rate limits (docs/adr/0020): RATE_LIMITS=off counts nothing (a bench's baseline); each limit is points per window.
  RATE_LIMITS: z.enum(["on", "off"]).default("on"),
  RATE_LIMIT_CALLER_POINTS: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_CALLER_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  RATE_LIMIT_IP_POINTS: z.coerce.number().int().min(1).default(120),
  RATE_LIMIT_IP_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  RATE_LIMIT_LOGIN_POINTS: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  RATE_LIMIT_REGISTER_POINTS: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_REGISTER_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3600),
  RATE_LIMIT_UPLOAD_POINTS: z.coerce.number().int().min(1).default(60),
  RATE_LIMIT_UPLOAD_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3600),
  JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[\w-]{1,64}$/, "letters, digits, _ and - only")
    .default("reelbase"),
  RUN_JOBS_IN_API: booleanFlag.default(false),
  // BullMQ's lock and stall check: how soon a dead worker's job goes to another. Tests shorten them.
  QUEUE_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  QUEUE_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).max(600_000).default(15_000),
  // Unset: scripts are rendered locally (espeak-ng + ffmpeg). See docs/generation-provider.md.
  GENERATION_PROVIDER_URL: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
  GENERATION_PROVIDER_API_KEY: z.string().min(1).optional(),
  GENERATION_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(2_000),
  GENERATION_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
  GENERATION_MAX_RESULT_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(20 * 1024 ** 3)
    .default(2 * 1024 ** 3),
  GENERATION_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  GENERATION_BREAKER_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(5),
  GENERATION_BREAKER_HALF_OPEN_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  GENERATION_MAX_WAIT_MS: z.coerce.number().int().min(1000).max(86_400_000).default(3_600_000),
  // Object storage calls (S3): per-attempt timeout, retries, and when the breaker opens and probes again.
  STORAGE_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  STORAGE_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  STORAGE_BREAKER_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(5),
  STORAGE_BREAKER_HALF_OPEN_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  // Webhook delivery (docs/webhooks.md).
  WEBHOOK_ALLOWED_HOSTS: z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((host) => host.trim())
        .filter((host) => host.length > 0),
    ),
  WEBHOOK_RETRY_DELAYS_MS: z
    .string()
    .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, "must be a comma list of whole milliseconds")
    .transform((value) => value.split(",").map((delay) => Number(delay.trim())))
    .optional(),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  WEBHOOK_DISABLE_AFTER_HOURS: z.coerce.number().min(0.001).max(8760).default(120),
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  CREDITS_LOW_THRESHOLD: z.coerce.number().int().min(0).max(1_000_000).default(5),
  // Scheduled chores (docs/adr/0021-housekeeping.md): one interval for all of them, and what they keep.
  HOUSEKEEPING: z.enum(["on", "off"]).default("on"),
  HOUSEKEEPING_INTERVAL_MS: z.coerce.number().int().min(100).max(86_400_000).default(900_000),
  ABANDONED_UPLOAD_MARGIN_SECONDS: z.coerce.number().int().min(0).max(604_800).default(3600),
  IDEMPOTENCY_RETENTION_HOURS: z.coerce.number().int().min(1).max(8760).default(24),
});

/**
 * Rules across variables, checked on the raw environment so they are reported even when
 * another variable is malformed (zod skips refinements once any field has failed).
 */
export function crossVariableProblems(raw: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (raw.NODE_ENV === "production") {
    const secret = raw.JWT_SECRET;
    if (!secret) problems.push("JWT_SECRET: is required in production");
    else if (secret.length < 32 || secret === DEV_JWT_SECRET) {
      problems.push("JWT_SECRET: must be at least 32 characters and not the development default in production");
    }
  }
  if (Boolean(raw.BOOTSTRAP_ADMIN_EMAIL) !== Boolean(raw.BOOTSTRAP_ADMIN_PASSWORD)) {
    problems.push("BOOTSTRAP_ADMIN_PASSWORD: BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD go together");
  }
  if (Boolean(raw.S3_ACCESS_KEY_ID) !== Boolean(raw.S3_SECRET_ACCESS_KEY)) {
    problems.push("S3_SECRET_ACCESS_KEY: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together");
  }
  if (raw.GENERATION_PROVIDER_URL && !raw.GENERATION_PROVIDER_API_KEY) {
    problems.push("GENERATION_PROVIDER_API_KEY: is required when GENERATION_PROVIDER_URL is set");
  }
  return problems;
}
