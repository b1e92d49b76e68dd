import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createWorkDir, removeOrphanedWorkDirs } from "../../server/src/modules/jobs/infra/processors/work-dirs.js";

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

describe("job scratch folders", () => {
  const roots: string[] = [];
  afterEach(async () => {
    await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
  });
  const root = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "reelbase-workdirs-"));
    roots.push(dir);
    return dir;
  };

  it("are named after the job and this process", async () => {
    const dir = await root();
    const jobId = randomUUID();
    const folder = await createWorkDir(jobId, dir);
    expect(path.basename(folder).startsWith(`reelbase-job-${jobId}-${process.pid}-`)).toBe(true);
  });

  it("of a process that is gone are removed, those of live processes and anything else kept", async () => {
    const dir = await root();
    const mine = await createWorkDir(randomUUID(), dir);
    const orphan = path.join(dir, `reelbase-job-${randomUUID()}-${deadPid()}-abc123`);
    await mkdir(path.join(orphan, "partial"), { recursive: true });
    const parent = path.join(dir, `reelbase-job-${randomUUID()}-${process.ppid}-def456`);
    await mkdir(parent);
    const unrelated = path.join(dir, "reelbase-job-not-a-job-folder");
    await mkdir(unrelated);

    expect(await removeOrphanedWorkDirs(dir)).toEqual([orphan]);
    expect((await readdir(dir)).sort()).toEqual([mine, parent, unrelated].map((folder) => path.basename(folder)).sort());
  });
});
