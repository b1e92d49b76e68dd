import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const fromRoot = (file: string): string => fileURLToPath(new URL(`../${file}`, import.meta.url));

/**
 * The console is built from the client's and the server's TypeScript sources directly, so
 * `npm install` builds it without building the client package first; the server contributes
 * only its error codes at run time (the router is a type import).
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  plugins: [react()],
  resolve: {
    alias: {
      "@reelbase/client": fromRoot("client/src/index.ts"),
      "@reelbase/server/error-codes": fromRoot("server/src/shared/domain/error-codes.ts"),
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // The report that bench/console-load.ts checks is the browser's own count; this is just the budget.
    chunkSizeWarningLimit: 600,
  },
  server: {
    host: "127.0.0.1",
    port: 5173,
    proxy: { "/trpc": "http://127.0.0.1:3000", "/files": "http://127.0.0.1:3000", "/play": "http://127.0.0.1:3000" },
  },
});
