// Bundles tsc's output (dist/tsc) into the two published files, dist/index.js and dist/index.d.ts.
// The server workspace is private and never published, so whatever the client takes from it
// (the error-code object at runtime, the router types) is inlined; every real package stays external.
import { fileURLToPath } from "node:url";
import { dts } from "rollup-plugin-dts";

const SERVER = "@reelbase/server";
const isServer = (id) => id === SERVER || id.startsWith(`${SERVER}/`);
const isPackage = (id) => !id.startsWith(".") && !id.startsWith("/") && !id.startsWith("\0");
const external = (id) => isPackage(id) && !isServer(id);

/**
 * Resolves runtime imports of the server workspace through its package "exports" (so only
 * subpaths exported with an "import" condition, i.e. plain data like error-codes, can be
 * bundled; importing the router at runtime fails the build instead of shipping the server).
 */
const serverWorkspace = {
  name: "reelbase-server-workspace",
  resolveId(id) {
    return isServer(id) ? fileURLToPath(import.meta.resolve(id)) : null;
  },
};

/** Fails the build on any warning, e.g. an unresolved import that rollup would silently externalize. */
const onwarn = (warning) => {
  throw new Error(`rollup: ${warning.message}`);
};

export default [
  {
    input: "dist/tsc/index.js",
    output: { file: "dist/index.js", format: "es" },
    external,
    plugins: [serverWorkspace],
    onwarn,
  },
  {
    input: "dist/tsc/index.d.ts",
    output: { file: "dist/index.d.ts", format: "es" },
    external,
    // The tsconfig gives TypeScript NodeNext resolution, so the server's package "exports" (types) are honoured.
    plugins: [dts({ respectExternal: true, tsconfig: "tsconfig.json" })],
    onwarn,
  },
];
