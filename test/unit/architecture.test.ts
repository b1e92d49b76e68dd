import path from "node:path";
import { fileURLToPath } from "node:url";

import { ESLint, type Linter } from "eslint";
import { describe, expect, it } from "vitest";

/**
 * The layer rule lives in eslint.config.js (no-restricted-imports, plus no-restricted-syntax against
 * import() that would slip past it). These tests pin down what it catches, so loosening the config
 * by accident fails here and not months later in a code review.
 */
const root = fileURLToPath(new URL("../..", import.meta.url));
const eslint = new ESLint({ cwd: root, overrideConfigFile: path.join(root, "eslint.config.js") });

const LAYER_RULES = new Set(["no-restricted-imports", "no-restricted-syntax"]);

const DOMAIN_FILE = "server/src/modules/videos/domain/video.entity.ts";
const APPLICATION_FILE = "server/src/modules/videos/application/create-video.use-case.ts";
const SHARED_DOMAIN_FILE = "server/src/shared/domain/quality.ts";
const SHARED_APPLICATION_FILE = "server/src/shared/application/job-queue.ts";
const INFRA_FILE = "server/src/modules/videos/infra/prisma-video.repository.ts";
const ROUTER_FILE = "server/src/modules/videos/api/videos.router.ts";

function isLayerViolation(message: Linter.LintMessage): boolean {
  return message.fatal === true || (message.ruleId !== null && LAYER_RULES.has(message.ruleId));
}

async function layerViolations(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath), warnIgnored: true });
  return (result?.messages ?? []).filter(isLayerViolation).map((message) => `${message.ruleId}: ${message.message}`);
}

/** Lints one import a line and returns the sources the layer rule reported. */
async function reportedSources(sources: string[], filePath: string): Promise<string[]> {
  const code = sources.map((source, index) => `import { thing${index} } from "${source}";\nexport { thing${index} };`).join("\n");
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath), warnIgnored: true });
  const messages = (result?.messages ?? []).filter(isLayerViolation);
  const unexpected = messages.filter(
    (message) => message.ruleId !== "no-restricted-imports" || !message.message.includes("Layer rule:"),
  );
  expect(unexpected).toEqual([]);
  // An import two rules refuse (a layer and the context rule) is reported by each: count it once.
  const lines = [...new Set(messages.map((message) => message.line))];
  return lines.map((line) => sources[(line - 1) / 2] ?? `line ${line}`);
}

const FORBIDDEN_IN_BOTH_LAYERS = [
  "@prisma/client",
  "@prisma/client/runtime/client",
  "@prisma/adapter-pg",
  "../../../generated/prisma/client.js",
  "@trpc/server",
  "@trpc/server/adapters/express",
  "express",
  "ioredis",
  "bullmq",
  "pg",
  "@electric-sql/pglite",
  "winston",
  "@aws-sdk/client-s3",
  "@aws-sdk/s3-request-presigner",
  "../infra/prisma-video.repository.js",
  "./infra/s3.storage.js",
  "../../jobs/infra/bullmq.queue.js",
  "../api/videos.schemas.js",
  "../../../shared/api/schemas.js",
  "../../../database/database.js",
  "../../../http/app.js",
  "../../../trpc/init.js",
];

const ALLOWED_IN_BOTH_LAYERS = [
  "../../../shared/domain/domain-error.js",
  "../../../shared/domain/roles.js",
  "./video.errors.js",
  "node:crypto",
  "zod",
];

describe("layer rule: domain/ and application/ stay free of frameworks and drivers", () => {
  describe.each([
    ["domain", DOMAIN_FILE],
    ["application", APPLICATION_FILE],
    ["shared domain", SHARED_DOMAIN_FILE],
    ["shared application", SHARED_APPLICATION_FILE],
  ])("%s", (_layer, filePath) => {
    it("reports every import of a framework, a driver or an outer layer", async () => {
      expect(await reportedSources(FORBIDDEN_IN_BOTH_LAYERS, filePath)).toEqual(FORBIDDEN_IN_BOTH_LAYERS);
    });

    it("allows imports of inner layers, node built-ins and plain libraries", async () => {
      expect(await reportedSources(ALLOWED_IN_BOTH_LAYERS, filePath)).toEqual([]);
    });

    it("reports type-only imports and re-exports too", async () => {
      const code = [
        'import type { PrismaClient } from "@prisma/client";',
        'export type { Request } from "express";',
        'export * from "../infra/mappers.js";',
        "export type Db = PrismaClient;",
      ].join("\n");
      const violations = await layerViolations(code, filePath);
      expect(violations).toHaveLength(3);
    });

    it("reports dynamic import() and import() types, which no-restricted-imports cannot see", async () => {
      const code = [
        'export const load = () => import("ioredis");',
        'export type Client = import("@prisma/client").PrismaClient;',
      ].join("\n");
      const violations = await layerViolations(code, filePath);
      expect(violations).toEqual([
        expect.stringMatching(/^no-restricted-syntax: /),
        expect.stringMatching(/^no-restricted-syntax: /),
      ]);
    });

    it("treats an explicit any as an error", async () => {
      const [result] = await eslint.lintText("export const value: any = 1;\n", { filePath: path.join(root, filePath) });
      const anyErrors = result?.messages.filter((message) => message.ruleId === "@typescript-eslint/no-explicit-any");
      expect(anyErrors).toEqual([expect.objectContaining({ severity: 2 })]);
    });
  });

  describe("domain/ only", () => {
    const domainOnly = [
      "inversify",
      "reflect-metadata",
      "../application/video.repository.js",
      "../../../shared/application/clock.js",
    ];

    it("reports dependency injection and any import from application/ in domain/", async () => {
      expect(await reportedSources(domainOnly, DOMAIN_FILE)).toEqual(domainOnly);
      expect(await reportedSources(domainOnly, SHARED_DOMAIN_FILE)).toEqual(domainOnly);
    });

    it("allows the same imports in application/", async () => {
      expect(await reportedSources(domainOnly, APPLICATION_FILE)).toEqual([]);
      expect(await reportedSources(["../domain/video.entity.js", "./video.repository.js"], APPLICATION_FILE)).toEqual([]);
    });
  });

  it("leaves infra/, api/ and the composition root alone", async () => {
    // (The one import of another context's folder is the context rule's business, tested below.)
    const sameContext = FORBIDDEN_IN_BOTH_LAYERS.filter((source) => !source.startsWith("../../jobs/"));
    for (const filePath of [INFRA_FILE, ROUTER_FILE, "server/src/http/app.ts", "server/src/modules/videos/videos.module.ts"]) {
      expect(await reportedSources([...sameContext, "inversify"], filePath)).toEqual([]);
    }
  });
});

describe("context rule: a context reaches another only through its application/index.ts", () => {
  const DEEP = [
    "../../billing/application/credit-ledger.js",
    "../../billing/domain/credit-rules.js",
    "../../jobs/infra/prisma-job.repository.js",
    "../../identity/api/auth.router.js",
    "../../audit/application/audit-log.js",
  ];
  const PUBLISHED = ["../../billing/application/index.js", "../../audit/application/index.js", "../domain/video.entity.js"];
  const JOBS_MODULE = "server/src/modules/jobs/jobs.module.ts";
  const DEEP_FROM_MODULE = ["../videos/application/video-jobs.js", "../videos/infra/prisma-video.repository.js"];

  it.each([
    ["domain", DOMAIN_FILE],
    ["application", APPLICATION_FILE],
    ["infra", INFRA_FILE],
    ["api", ROUTER_FILE],
  ])("reports a deep import into another context from %s/", async (_layer, filePath) => {
    expect(await reportedSources(DEEP, filePath)).toEqual(DEEP);
  });

  it("allows another context's published index (where the layer allows it) and the context's own files", async () => {
    expect(await reportedSources(PUBLISHED, APPLICATION_FILE)).toEqual([]);
    expect(await reportedSources(PUBLISHED, INFRA_FILE)).toEqual([]);
    expect(await reportedSources(PUBLISHED, ROUTER_FILE)).toEqual([]);
  });

  it("holds in a context's module file too, and not outside the contexts (trpc/ composes them)", async () => {
    expect(await reportedSources(DEEP_FROM_MODULE, JOBS_MODULE)).toEqual(DEEP_FROM_MODULE);
    expect(
      await reportedSources(
        ["../modules/videos/api/video.mapper.js", "../modules/jobs/api/job.mapper.js"],
        "server/src/trpc/app.router.ts",
      ),
    ).toEqual([]);
  });

  it("finds no deep import between contexts in the real tree", async () => {
    const results = await eslint.lintFiles(["server/src/modules/**/*.ts"]);
    const crossings = results.flatMap((result) =>
      result.messages
        .filter((message) => message.message.includes("another context"))
        .map((message) => `${path.relative(root, result.filePath)}:${message.line}`),
    );
    expect(results.length).toBeGreaterThan(50);
    expect(crossings).toEqual([]);
  });
});

describe("layer rule: the real tree", () => {
  it("has no layer violations in any domain/ or application/ folder", async () => {
    const results = await eslint.lintFiles([
      "server/src/modules/*/domain/**/*.ts",
      "server/src/modules/*/application/**/*.ts",
      "server/src/shared/domain/**/*.ts",
      "server/src/shared/application/**/*.ts",
    ]);
    const linted = results.map((result) => path.relative(root, result.filePath));
    expect(linted.some((file) => file.includes("/domain/"))).toBe(true);
    expect(linted.some((file) => file.includes("/application/"))).toBe(true);

    const violations = results.flatMap((result) =>
      result.messages
        .filter(isLayerViolation)
        .map(
          (message) =>
            `${path.relative(root, result.filePath)}:${message.line} ${message.ruleId ?? "parse error"}: ${message.message}`,
        ),
    );
    expect(violations).toEqual([]);
  });
});
