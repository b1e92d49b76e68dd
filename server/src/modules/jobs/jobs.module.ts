import { ContainerModule, type Newable } from "inversify";
import { VIDEO_JOBS } from "../videos/application/index.js";
import { CancelJobUseCase } from "./application/cancel-job.use-case.js";
import { CancelVideoJobs } from "./application/cancel-video-jobs.js";
import { GetJobQuery } from "./application/get-job.query.js";
import { JobAccess } from "./application/job-access.js";
import { JobEnd } from "./application/job-end.js";
import { JobEvents } from "./application/job-events.js";
import { JOB_PROCESSOR } from "./application/job-processor.js";
import { JOB_REPOSITORY } from "./application/job.repository.js";
import { ListJobsQuery } from "./application/list-jobs.query.js";
import { ProcessLadderUseCase } from "./application/process-ladder.use-case.js";
import { QuoteVideoQuery } from "./application/quote-video.query.js";
import { ProcessVideoUseCase } from "./application/process-video.use-case.js";
import { GenerateVideoUseCase } from "./application/generate-video.use-case.js";
import { PaidJobs } from "./application/paid-jobs.js";
import { RetryJobUseCase } from "./application/retry-job.use-case.js";
import { RunJob } from "./application/run-job.js";
import { JobWatchers } from "./application/job-watchers.js";
import { WatchJobUseCase } from "./application/watch-job.use-case.js";
import { PrismaJobRepository } from "./infra/prisma-job.repository.js";
import { TranscodeProcessor } from "./infra/processors/transcode.processor.js";
import { GenerateProcessor } from "./infra/processors/generate.processor.js";
import { HOUSEKEEPING_TASK } from "../../shared/application/housekeeping.js";
import { ForgetIdempotencyKeysTask } from "./application/forget-idempotency-keys.task.js";
import { IDEMPOTENCY_KEYS } from "./application/idempotency-keys.js";
import { PrismaIdempotencyKeys } from "./infra/prisma-idempotency-keys.js";
import { OrphanedWorkDirsTask } from "./infra/processors/work-dirs.task.js";

const useCases: Newable<object>[] = [
  JobAccess,
  JobEnd,
  JobEvents,
  PaidJobs,
  ProcessVideoUseCase,
  ProcessLadderUseCase,
  QuoteVideoQuery,
  GenerateVideoUseCase,
  RetryJobUseCase,
  GetJobQuery,
  ListJobsQuery,
  CancelJobUseCase,
  JobWatchers,
  WatchJobUseCase,
  RunJob,
];

/** Processors register here, one line each: the runner finds them by job type. */
export const jobsModule = new ContainerModule(({ bind }) => {
  bind(JOB_REPOSITORY).to(PrismaJobRepository).inSingletonScope();
  bind(JOB_PROCESSOR).to(TranscodeProcessor).inSingletonScope();
  bind(JOB_PROCESSOR).to(GenerateProcessor).inSingletonScope();
  bind(VIDEO_JOBS).to(CancelVideoJobs).inSingletonScope();
  for (const useCase of useCases) bind(useCase).toSelf().inSingletonScope();
  bind(IDEMPOTENCY_KEYS).to(PrismaIdempotencyKeys).inSingletonScope();
  bind(HOUSEKEEPING_TASK).to(ForgetIdempotencyKeysTask).inSingletonScope();
  bind(HOUSEKEEPING_TASK).toConstantValue(new OrphanedWorkDirsTask());
});
