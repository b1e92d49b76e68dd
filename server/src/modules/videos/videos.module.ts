import { VideoProcessing } from "./application/video-processing.service.js";
import { VideoOutputs } from "./application/video-outputs.service.js";
import { EVENT_OUTBOX, type EventOutbox } from "../../shared/application/event-outbox.js";
import { ContainerModule, type Newable } from "inversify";
import { DATABASE, type Database } from "../../database/database.js";
import { CACHE, type Cache } from "../../shared/application/cache.js";
import { CachedVideoRepository } from "./infra/cached-video.repository.js";
import { NearCachedVideoRepository } from "./infra/near-cached-video.repository.js";
import { EVENT_BUS, type EventBus } from "../../shared/application/event-bus.js";
import { LOGGER, type Logger } from "../../shared/application/logger.js";
import { METRICS, type Metrics } from "../../shared/application/metrics.js";
import { DeleteVideoUseCase } from "./application/delete-video.use-case.js";
import { GetDownloadUrlQuery } from "./application/get-download-url.query.js";
import { STORED_FILE_REPOSITORY } from "./application/stored-file.repository.js";
import { CompleteUploadUseCase } from "./application/complete-upload.use-case.js";
import { CreateUploadUseCase } from "./application/create-upload.use-case.js";
import { VideoAccess } from "./application/video-access.js";
import { CreateVideoUseCase } from "./application/create-video.use-case.js";
import { GetVideoQuery } from "./application/get-video.query.js";
import { ListVideosQuery } from "./application/list-videos.query.js";
import { UpdateVideoUseCase } from "./application/update-video.use-case.js";
import { VIDEO_REPOSITORY } from "./application/video.repository.js";
import { PrismaStoredFileRepository } from "./infra/prisma-stored-file.repository.js";
import { PrismaVideoRepository } from "./infra/prisma-video.repository.js";
import { HOUSEKEEPING_TASK } from "../../shared/application/housekeeping.js";
import { ABANDONED_UPLOAD_QUERY } from "./application/abandoned-upload.query.js";
import { ObjectRemoval } from "./application/object-removal.js";
import { PENDING_OBJECT_DELETION_REPOSITORY } from "./application/pending-object-deletion.repository.js";
import { ResetAbandonedUploadsTask } from "./application/reset-abandoned-uploads.task.js";
import { RetryObjectDeletionsTask } from "./application/retry-object-deletions.task.js";
import { PrismaAbandonedUploadQuery } from "./infra/prisma-abandoned-upload.query.js";
import { PrismaPendingObjectDeletionRepository } from "./infra/prisma-pending-object-deletion.repository.js";
import { AbortExpiredUploadSessionsTask } from "./application/abort-expired-upload-sessions.task.js";
import { MultipartUploads } from "./application/multipart-uploads.service.js";
import { AbortUploadSession } from "./application/abort-upload-session.js";
import { SourceUploadStart } from "./application/source-upload-start.js";
import { UPLOAD_SESSION_REPOSITORY } from "./application/upload-session.repository.js";
import { PrismaUploadSessionRepository } from "./infra/prisma-upload-session.repository.js";
import { bindPlayback } from "./playback.module.js";

const useCases: Newable<object>[] = [
  VideoProcessing,
  VideoOutputs,
  VideoAccess,
  CreateVideoUseCase,
  GetVideoQuery,
  ListVideosQuery,
  UpdateVideoUseCase,
  DeleteVideoUseCase,
  CreateUploadUseCase,
  CompleteUploadUseCase,
  GetDownloadUrlQuery,
  ObjectRemoval,
  MultipartUploads,
  AbortUploadSession,
  SourceUploadStart,
];

/** Storage and the media prober are resources with a lifecycle: the composition root binds them. */
export const videosModule = new ContainerModule(({ bind }) => {
  bindPlayback({ bind });
  bind(VIDEO_REPOSITORY)
    .toDynamicValue((context) => {
      const database = context.get<Database>(DATABASE);
      const shared = new CachedVideoRepository(
        new PrismaVideoRepository(database, context.get<EventOutbox>(EVENT_OUTBOX)),
        context.get<Cache>(CACHE),
        database,
        {
          metrics: context.get<Metrics>(METRICS),
        },
      );
      // Hits from this process's memory, invalidated from every process (docs/adr/0015).
      const near = new NearCachedVideoRepository(shared, context.get<EventBus>(EVENT_BUS), database, context.get<Logger>(LOGGER));
      void near.listen();
      return near;
    })
    .inSingletonScope();
  bind(STORED_FILE_REPOSITORY).to(PrismaStoredFileRepository).inSingletonScope();
  bind(PENDING_OBJECT_DELETION_REPOSITORY).to(PrismaPendingObjectDeletionRepository).inSingletonScope();
  bind(ABANDONED_UPLOAD_QUERY).to(PrismaAbandonedUploadQuery).inSingletonScope();
  bind(UPLOAD_SESSION_REPOSITORY).to(PrismaUploadSessionRepository).inSingletonScope();
  for (const useCase of useCases) bind(useCase).toSelf().inSingletonScope();
  bind(HOUSEKEEPING_TASK).to(ResetAbandonedUploadsTask).inSingletonScope();
  bind(HOUSEKEEPING_TASK).to(RetryObjectDeletionsTask).inSingletonScope();
  bind(HOUSEKEEPING_TASK).to(AbortExpiredUploadSessionsTask).inSingletonScope();
});
