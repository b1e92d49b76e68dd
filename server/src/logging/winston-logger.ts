import winston from "winston";
import type { Logger } from "../shared/application/logger.js";
import { currentRequestContext } from "../shared/request-context.js";
import { redact } from "./redact.js";

const withRequestContext = winston.format((info) => {
  const context = currentRequestContext();
  if (context) {
    info.correlationId ??= context.correlationId;
    if (context.userId) info.userId ??= context.userId;
    if (context.path) info.path ??= context.path;
  }
  return info;
});

export interface LoggerOptions {
  level: "error" | "warn" | "info" | "http" | "debug" | "silent";
  json: boolean;
  /** Where lines go; stdout by default. Tests pass a stream to read what was logged. */
  stream?: NodeJS.WritableStream;
}

export function createWinstonLogger(options: LoggerOptions): Logger {
  const format = options.json
    ? winston.format.combine(withRequestContext(), winston.format.timestamp(), winston.format.json())
    : winston.format.combine(
        withRequestContext(),
        winston.format.colorize(),
        winston.format.timestamp({ format: "HH:mm:ss.SSS" }),
        winston.format.printf(({ level, message, timestamp, ...meta }) => {
          const rest = Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : "";
          return `${String(timestamp)} ${level} ${String(message)}${rest}`;
        }),
      );
  const logger = winston.createLogger({
    level: options.level === "silent" ? "error" : options.level,
    silent: options.level === "silent",
    format,
    transports: [options.stream ? new winston.transports.Stream({ stream: options.stream }) : new winston.transports.Console()],
  });
  const write = (level: string) => (message: string, meta?: Record<string, unknown>) => {
    logger.log(level, message, meta ? (redact(meta) as Record<string, unknown>) : undefined);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
