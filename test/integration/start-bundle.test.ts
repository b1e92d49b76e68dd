import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { currentBuild, ensureBuild, ENTRIES } from "../../scripts/start-bundle.mjs";

/** The launcher behind `npm start`: builds once, reuses while nothing changed, rebuilds when an input did. */
describe("the start bundle", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  const cacheDir = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "reelbase-start-"));
    dirs.push(dir);
    return dir;
  };
  const stampOf = async (dir: string) =>
    JSON.parse(await readFile(path.join(dir, "stamp.json"), "utf8")) as {
      dir: string;
      esbuild: string;
      inputs: Record<string, [number, number]>;
    };

  it("builds both entry points with the sources as inputs, then reuses the build", async () => {
    const cache = await cacheDir();
    const first = await ensureBuild(cache);
    expect(first.built).toBe(true);
    for (const entry of Object.keys(ENTRIES)) expect(existsSync(path.join(first.dir, `${entry}.mjs`))).toBe(true);
    const { inputs } = await stampOf(cache);
    for (const file of ["server/src/main.ts", "server/src/worker.ts", "server/src/bootstrap.ts", "server/tsconfig.json"]) {
      expect(inputs[file], file).toBeDefined();
    }
    // Packages stay imports: nothing from node_modules is compiled into the bundle.
    expect(Object.keys(inputs).filter((file) => file.includes("node_modules"))).toEqual([]);

    const second = await ensureBuild(cache);
    expect(second).toEqual({ dir: first.dir, built: false });
  });

  it("rebuilds when an input's recorded size or time no longer matches, or the build is gone", async () => {
    const cache = await cacheDir();
    const { dir } = await ensureBuild(cache);
    const stamp = await stampOf(cache);
    const bootstrap = stamp.inputs["server/src/bootstrap.ts"];
    if (!bootstrap) throw new Error("bootstrap.ts not recorded");
    // As if bootstrap.ts had been edited since the build: the stamp no longer describes the file on disk.
    await writeFile(
      path.join(cache, "stamp.json"),
      JSON.stringify({ ...stamp, inputs: { ...stamp.inputs, "server/src/bootstrap.ts": [bootstrap[0] - 1, bootstrap[1]] } }),
    );
    expect(currentBuild(cache, stamp.esbuild)).toBeUndefined();
    const rebuilt = await ensureBuild(cache);
    expect(rebuilt.built).toBe(true);
    expect(rebuilt.dir).not.toBe(dir);
    expect((await stampOf(cache)).inputs["server/src/bootstrap.ts"]).toEqual(bootstrap);

    await rm(path.join(rebuilt.dir, "main.mjs"));
    expect((await ensureBuild(cache)).built).toBe(true);
  });

  it("rebuilds for another esbuild version", async () => {
    const cache = await cacheDir();
    const { dir } = await ensureBuild(cache);
    const { esbuild } = await stampOf(cache);
    expect(currentBuild(cache, esbuild)).toBe(dir);
    expect(currentBuild(cache, `${esbuild}-other`)).toBeUndefined();
  });

  it("lets concurrent first starts each end with a complete build", async () => {
    const cache = await cacheDir();
    const results = await Promise.all([ensureBuild(cache), ensureBuild(cache), ensureBuild(cache)]);
    for (const { dir } of results) expect(existsSync(path.join(dir, "main.mjs"))).toBe(true);
    const stamp = await stampOf(cache);
    expect(results.map((result) => path.basename(result.dir))).toContain(stamp.dir);
    expect((await readdir(cache)).filter((name) => name.startsWith("stamp.json."))).toEqual([]);
  });
});
