// @ts-check
import { readdirSync } from "node:fs";
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

/**
 * The layer rule (docs/adr/0001; test/unit/architecture.test.ts pins it down). Matching is gitignore-style on the
 * import string: "express" matches that name as any path segment, "@prisma/*" a scope and every
 * subpath, "**\/infra/**" any relative path through an infra/ folder.
 */
const FRAMEWORKS_AND_DRIVERS = [
  {
    group: ["@prisma/*", "pglite-prisma-adapter", "**/generated/**", "pg", "@electric-sql/*"],
    message:
      "Layer rule: domain/ and application/ must not touch the database. Depend on a repository port in application/ and implement it in infra/.",
  },
  {
    group: ["@trpc/*", "express", "cors", "helmet"],
    message:
      "Layer rule: domain/ and application/ know nothing of HTTP or tRPC. That belongs in api/ (routers) or the http/ and trpc/ folders.",
  },
  {
    group: [
      "ioredis",
      "bullmq",
      "winston",
      "@aws-sdk/*",
      "jose",
      "@node-rs/*",
      "@ffmpeg-installer/*",
      "@ffprobe-installer/*",
      "prom-client",
    ],
    message:
      "Layer rule: domain/ and application/ must not use infrastructure libraries. Declare a port in application/ and implement it in infra/.",
  },
  {
    group: ["**/infra/**", "**/api/**", "**/database/**", "**/http/**", "**/trpc/**", "**/logging/**"],
    message:
      "Layer rule: domain/ and application/ must not import from outer layers (infra/, api/, database/, http/, trpc/, logging/).",
  },
];

const DOMAIN_ONLY = [
  {
    group: ["inversify", "reflect-metadata"],
    message:
      "Layer rule: domain/ is plain TypeScript. Dependency injection happens in application/ and in the *.module.ts files.",
  },
  {
    group: ["**/application/**"],
    message: "Layer rule: domain/ must not import from application/. Dependencies point inward, from application to domain.",
  },
];

/** Dynamic and type-position imports get round no-restricted-imports, so these layers don't use them at all. */
const NO_HIDDEN_IMPORTS = [
  {
    selector: "ImportExpression",
    message: "Layer rule: no dynamic import() in domain/ or application/. Use a static import so the layer rule can check it.",
  },
  {
    selector: "TSImportType",
    message: 'Layer rule: no import("…") types in domain/ or application/. Use `import type` so the layer rule can check it.',
  },
];

/** The bounded contexts: one folder each under server/src/modules. */
const CONTEXTS = readdirSync(new URL("./server/src/modules/", import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/**
 * A context reaches another only through the ports it publishes in its application/index.ts; its
 * entities, repositories, use cases and routers are its own.
 */
const otherContexts = (context) =>
  CONTEXTS.filter((other) => other !== context).map((other) => ({
    // Files only (*.js): a pattern matching the folders would keep gitignore from re-including index.js.
    group: [`**/${other}/**/*.js`, `!**/${other}/application/index.js`],
    message: `Layer rule: another context is reached only through what it publishes in ${other}/application/index.ts. Export the port there, or put code that composes both contexts in trpc/.`,
  }));

/** Per context: the context rule, plus the layer rule of each layer (a later block replaces the rule's whole option list). */
const contextBlocks = CONTEXTS.flatMap((context) => [
  {
    name: `reelbase/contexts/${context}`,
    files: [`server/src/modules/${context}/**/*.ts`],
    rules: { "no-restricted-imports": ["error", { patterns: otherContexts(context) }] },
  },
  {
    name: `reelbase/contexts/${context}/application`,
    files: [`server/src/modules/${context}/application/**/*.ts`],
    rules: { "no-restricted-imports": ["error", { patterns: [...FRAMEWORKS_AND_DRIVERS, ...otherContexts(context)] }] },
  },
  {
    name: `reelbase/contexts/${context}/domain`,
    files: [`server/src/modules/${context}/domain/**/*.ts`],
    rules: {
      "no-restricted-imports": ["error", { patterns: [...FRAMEWORKS_AND_DRIVERS, ...DOMAIN_ONLY, ...otherContexts(context)] }],
    },
  },
]);

const layerFiles = (layer) => [`server/src/modules/**/${layer}/**/*.ts`, `server/src/shared/${layer}/**/*.ts`];

export default defineConfig(
  globalIgnores([
    "**/node_modules/",
    "**/dist/",
    "console/dist.*/",
    "server/src/generated/",
    "data/",
    "coverage/",
    "**/*.tgz",
    "**/*.tsbuildinfo",
    "tmp/",
  ]),

  js.configs.recommended,
  tseslint.configs.recommended,

  {
    name: "reelbase/all",
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // TypeScript checks undefined names in .ts files; the few .js files are tool configs.
      "no-undef": "off",
      // Error everywhere, not just in the inner layers: there is no `any` in the tree, warnings never fail
      // CI and so pile up, and `unknown` or a justified eslint-disable comment covers the real boundary cases.
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          args: "after-used",
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
          ignoreRestSiblings: true,
        },
      ],
      // Decorated constructor parameters need their imports as runtime values (Inversify tokens).
      "@typescript-eslint/consistent-type-imports": "off",
    },
  },

  {
    name: "reelbase/layers/application",
    files: layerFiles("application"),
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "no-restricted-imports": ["error", { patterns: FRAMEWORKS_AND_DRIVERS }],
      "no-restricted-syntax": ["error", ...NO_HIDDEN_IMPORTS],
    },
  },

  {
    // Comes after the application block: a rule set here replaces the one above, so it lists everything.
    name: "reelbase/layers/domain",
    files: layerFiles("domain"),
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "no-restricted-imports": ["error", { patterns: [...FRAMEWORKS_AND_DRIVERS, ...DOMAIN_ONLY] }],
      "no-restricted-syntax": ["error", ...NO_HIDDEN_IMPORTS],
    },
  },

  ...contextBlocks,

  {
    // The console is a client of the API like any other: it reaches the server only through @reelbase/client.
    name: "reelbase/console",
    files: ["console/src/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/server/**", "@reelbase/server/*", "@trpc/*"],
              message: "The console uses the API through @reelbase/client only (types from RouterInputs/RouterOutputs).",
            },
          ],
        },
      ],
    },
  },
);
