/**
 * What the jobs context offers other contexts. Anything not exported here is the context's own:
 * the ESLint layer rule refuses an import from another context past this file.
 */
export { JOB_STATUSES, JOB_TYPES, type JobStatus, type JobType } from "../domain/job-status.js";
