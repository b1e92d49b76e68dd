import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

const PREFIX = "reelbase-job-";
/** `reelbase-job-<job id>-<pid>-<random>`: the pid says whether the process that made it still runs. */
const NAME = /^reelbase-job-[0-9a-f-]{36}-(\d+)-[^/]+$/;

/**
 * A job's scratch folder, named after the job (ffmpeg's command line then names the job, which
 * finds its processes) and after this process, so that a later start can tell a folder whose
 * process died from one still in use.
 */
export function createWorkDir(jobId: string, root: string = tmpdir()): Promise<string> {
  return mkdtemp(path.join(root, `${PREFIX}${jobId}-${process.pid}-`));
}

/**
 * Removes the scratch folders of processes that are gone: a worker SIGKILLed mid-transcode never
 * ran its `finally`. Folders of live processes (other workers on this machine) are left alone.
 * Assumes the folder's root is not shared across PID namespaces (containers each have their own
 * /tmp). Returns the folders removed.
 */
export async function removeOrphanedWorkDirs(root: string = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const pid = entry.isDirectory() ? NAME.exec(entry.name)?.[1] : undefined;
    if (!pid || isRunning(Number(pid))) continue;
    const folder = path.join(root, entry.name);
    await rm(folder, { recursive: true, force: true });
    removed.push(folder);
  }
  return removed;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
