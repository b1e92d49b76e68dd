import { tmpdir } from "node:os";
import type { HousekeepingReport, HousekeepingTask } from "../../../../shared/application/housekeeping.js";
import { removeOrphanedWorkDirs } from "./work-dirs.js";

/**
 * Housekeeping: the scratch folders of job processes on this machine that no longer run (killed
 * mid-job, so their `finally` never ran). Folders of live processes are never touched. A machine's
 * folders are seen only there, so every process runs this on its own timer.
 */
export class OrphanedWorkDirsTask implements HousekeepingTask {
  readonly name = "work-dirs";
  readonly perProcess = true;

  constructor(private readonly root: string = tmpdir()) {}

  async run(): Promise<HousekeepingReport> {
    return { removed: (await removeOrphanedWorkDirs(this.root)).length };
  }
}
