import { inject, injectable } from "inversify";
import type { Caller } from "../../../shared/application/caller.js";
import type { Job } from "../domain/job.entity.js";
import { JobAccess } from "./job-access.js";

@injectable()
export class GetJobQuery {
  constructor(@inject(JobAccess) private readonly access: JobAccess) {}

  execute(caller: Caller, id: string): Promise<Job> {
    return this.access.visible(caller, id);
  }
}
