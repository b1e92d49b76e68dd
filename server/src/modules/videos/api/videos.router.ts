import { OK, okSchema } from "../../../shared/api/schemas.js";
import { router, scopedProcedure } from "../../../trpc/init.js";
import { DeleteVideoUseCase } from "../application/delete-video.use-case.js";
import { GetDownloadUrlQuery } from "../application/get-download-url.query.js";
import { CompleteUploadUseCase } from "../application/complete-upload.use-case.js";
import { CreateUploadUseCase } from "../application/create-upload.use-case.js";
import { CreateVideoUseCase } from "../application/create-video.use-case.js";
import { GetVideoQuery } from "../application/get-video.query.js";
import { ListVideosQuery } from "../application/list-videos.query.js";
import { UpdateVideoUseCase } from "../application/update-video.use-case.js";
import { playbackProcedure } from "./playback.procedure.js";
import { toVideoDto } from "./video.mapper.js";
import {
  createUploadInput,
  createVideoInput,
  downloadUrlInput,
  downloadUrlOutput,
  listVideosInput,
  presignedUploadOutput,
  updateVideoInput,
  videoIdInput,
  videoOutput,
  videoPageOutput,
} from "./videos.schemas.js";

const reader = scopedProcedure("videos:read");
const writer = scopedProcedure("videos:write");

export const videosRouter = router({
  create: writer
    .input(createVideoInput)
    .output(videoOutput)
    .mutation(async ({ ctx, input }) => toVideoDto(await ctx.resolve(CreateVideoUseCase).execute(ctx.caller, input))),

  get: reader
    .input(videoIdInput)
    .output(videoOutput)
    .query(async ({ ctx, input }) => toVideoDto(await ctx.resolve(GetVideoQuery).execute(ctx.caller, input.id))),

  list: reader
    .input(listVideosInput)
    .output(videoPageOutput)
    .query(async ({ ctx, input: { cursor, limit, ...filter } }) => {
      const page = await ctx.resolve(ListVideosQuery).execute(ctx.caller, filter, { cursor, limit });
      return { items: page.items.map(toVideoDto), nextCursor: page.nextCursor };
    }),

  update: writer
    .input(updateVideoInput)
    .output(videoOutput)
    .mutation(async ({ ctx, input }) => toVideoDto(await ctx.resolve(UpdateVideoUseCase).execute(ctx.caller, input))),

  delete: writer
    .input(videoIdInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      await ctx.resolve(DeleteVideoUseCase).execute(ctx.caller, input.id);
      return OK;
    }),

  createUpload: writer
    .input(createUploadInput)
    .output(presignedUploadOutput)
    .mutation(async ({ ctx, input }) => {
      const upload = await ctx.resolve(CreateUploadUseCase).execute(ctx.caller, input);
      return { uploadUrl: upload.url, method: upload.method, headers: upload.headers, expiresAt: upload.expiresAt.toISOString() };
    }),

  completeUpload: writer
    .input(videoIdInput)
    .output(videoOutput)
    .mutation(async ({ ctx, input }) => toVideoDto(await ctx.resolve(CompleteUploadUseCase).execute(ctx.caller, input.id))),

  downloadUrl: reader
    .input(downloadUrlInput)
    .output(downloadUrlOutput)
    .query(async ({ ctx, input }) => {
      const { url, expiresAt } = await ctx.resolve(GetDownloadUrlQuery).execute(ctx.caller, input);
      return { url, expiresAt: expiresAt.toISOString() };
    }),

  playback: playbackProcedure,
});
