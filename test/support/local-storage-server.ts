import { createHash } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import express from "express";
import { expect } from "vitest";
import { loadConfig, type AppConfig } from "../../server/src/config/config.js";
import { createWinstonLogger } from "../../server/src/logging/winston-logger.js";
import { createObjectStorage } from "../../server/src/storage/create-object-storage.js";
import { LocalDiskStorage } from "../../server/src/storage/local-disk.storage.js";
import type { PresignedUpload } from "../../server/src/shared/application/object-storage.js";
import { PublicUrl } from "../../server/src/shared/application/public-url.js";
import { TestClock } from "./test-clock.js";

export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

export interface RawRequestOptions {
  method: string;
  path: string;
  headers?: Record<string, string | number>;
  body?: Buffer;
}

export interface LocalStorageHarness {
  storage: LocalDiskStorage;
  config: AppConfig;
  /** The storage folder, inside `sandbox`. */
  root: string;
  /** A fresh temp folder holding only `root`. */
  sandbox: string;
  baseUrl: string;
  clock: TestClock;
  putUrl(key: string, sizeBytes: number, contentType?: string, expiresInSeconds?: number): Promise<PresignedUpload>;
  /** Exactly what a browser does with createUpload's answer: fetch(url, { method, headers, body }). */
  upload(key: string, bytes: Buffer, contentType?: string): Promise<Response>;
  errorCodeOf(response: Response): Promise<string>;
  /** For request lines fetch would normalise ("../", "%2e%2e") and for bodies that stop half way. */
  rawRequest(options: RawRequestOptions): Promise<{ status: number; body: string }>;
  /** Every file under `dir`, relative, hidden folders included. */
  filesUnder(dir: string): Promise<string[]>;
  tempFiles(): Promise<string[]>;
  close(): Promise<void>;
}

const logger = createWinstonLogger({ level: "silent", json: true });

/** The local disk adapter, built the way the app builds it, with its file routes served by express on 127.0.0.1. */
export async function startLocalStorageServer(): Promise<LocalStorageHarness> {
  const clock = new TestClock();
  const sandbox = await mkdtemp(path.join(tmpdir(), "reelbase-local-storage-"));
  const root = path.join(sandbox, "objects");
  const config = loadConfig({
    NODE_ENV: "test",
    JWT_SECRET: "test-secret-that-is-long-enough-for-hs256-0123456789",
    LOCAL_STORAGE_DIR: root,
    MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
  });
  const publicUrl = new PublicUrl(undefined);
  const binding = await createObjectStorage(config, publicUrl, logger, { clock });
  expect(binding.describe).toContain(root);
  if (!(binding.value instanceof LocalDiskStorage) || !binding.routes) throw new Error("expected the local adapter");
  const storage = binding.value;
  const app = express();
  app.use(binding.routes.mountPath, binding.routes.router);
  const server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  publicUrl.setIfUnset(baseUrl);

  const putUrl = async (key: string, sizeBytes: number, contentType = "video/mp4", expiresInSeconds = 3600) =>
    storage.createUploadUrl(key, { contentType, sizeBytes, expiresInSeconds });

  return {
    storage,
    config,
    root,
    sandbox,
    baseUrl,
    clock,
    putUrl,

    async upload(key, bytes, contentType = "video/mp4") {
      const target = await putUrl(key, bytes.length, contentType);
      return fetch(target.url, { method: target.method, headers: target.headers, body: bytes });
    },

    async errorCodeOf(response) {
      const body = (await response.json()) as { error: { errorCode: string } };
      return body.error.errorCode;
    },

    rawRequest(options) {
      return new Promise((resolve, reject) => {
        // Options, not a URL string: a URL would be normalised and "/files/../x" would never leave this process.
        const { hostname, port } = new URL(baseUrl);
        const target = { hostname, port, path: options.path, method: options.method, headers: options.headers };
        const request = http.request(target, (response) => {
          let body = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => (body += chunk));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
        });
        request.on("error", reject);
        request.end(options.body);
      });
    },

    async filesUnder(dir) {
      const entries = await readdir(dir, { recursive: true, withFileTypes: true });
      return entries
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
    },

    async tempFiles() {
      return readdir(path.join(root, ".tmp"));
    },

    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(sandbox, { recursive: true, force: true });
    },
  };
}

export const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

export async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
