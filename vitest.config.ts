import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  // The client imports these through the server's package exports (built files); tests use the sources,
  // so `npm test` works on a fresh clone without a build.
  resolve: {
    alias: {
      "@reelbase/server/error-codes": source("./server/src/shared/domain/error-codes.ts"),
      "@reelbase/server/router": source("./server/src/trpc/app.router.ts"),
    },
  },
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["reflect-metadata"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Measured when asked (`npm test -- --coverage`, as CI does): the server's own code, not what is generated.
    coverage: {
      provider: "v8",
      include: ["server/src/**/*.ts"],
      exclude: ["server/src/generated/**", "**/*.d.ts"],
      reporter: ["text-summary", "json-summary"],
      reportsDirectory: "coverage",
      // Printed also when a test failed: a red run still says how much of the code ran.
      reportOnFailure: true,
      // The domain and application layers hold the rules: most of their lines must run in some test.
      thresholds: {
        "server/src/modules/*/domain/**": { lines: 85 },
        "server/src/modules/*/application/**": { lines: 85 },
      },
    },
  },
});
