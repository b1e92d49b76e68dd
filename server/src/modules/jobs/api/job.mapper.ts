import type { z } from "zod";
import { jobSnapshot } from "../domain/job-snapshot.js";
import type { Job } from "../domain/job.entity.js";
import type { jobOutput } from "./jobs.schemas.js";

export function toJobDto(job: Job): z.infer<typeof jobOutput> {
  return jobSnapshot(job);
}
