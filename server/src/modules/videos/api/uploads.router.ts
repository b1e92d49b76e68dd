import { OK, okSchema } from "../../../shared/api/schemas.js";
import { router, scopedProcedure } from "../../../trpc/init.js";
import { MultipartUploads } from "../application/multipart-uploads.service.js";
import { toVideoDto } from "./video.mapper.js";
import { videoOutput } from "./videos.schemas.js";
import {
  completeMultipartUploadInput,
  createMultipartUploadInput,
  createMultipartUploadOutput,
  listPartsOutput,
  signPartsInput,
  signPartsOutput,
  uploadIdInput,
} from "./uploads.schemas.js";

const writer = scopedProcedure("videos:write");

/** Resumable multipart uploads; videos.createUpload (one PUT) stays for small files. */
export const uploadsRouter = router({
  create: writer
    .input(createMultipartUploadInput)
    .output(createMultipartUploadOutput)
    .mutation(async ({ ctx, input }) => {
      const created = await ctx.resolve(MultipartUploads).create(ctx.caller, input);
      return { ...created, expiresAt: created.expiresAt.toISOString() };
    }),

  signParts: writer
    .input(signPartsInput)
    .output(signPartsOutput)
    .mutation(async ({ ctx, input }) => {
      const parts = await ctx.resolve(MultipartUploads).signParts(ctx.caller, input.uploadId, input.partNumbers);
      return { parts: parts.map((part) => ({ ...part, expiresAt: part.expiresAt.toISOString() })) };
    }),

  listParts: writer
    .input(uploadIdInput)
    .output(listPartsOutput)
    .query(async ({ ctx, input }) => ({ parts: await ctx.resolve(MultipartUploads).listParts(ctx.caller, input.uploadId) })),

  complete: writer
    .input(completeMultipartUploadInput)
    .output(videoOutput)
    .mutation(async ({ ctx, input }) =>
      toVideoDto(await ctx.resolve(MultipartUploads).complete(ctx.caller, input.uploadId, input.parts)),
    ),

  abort: writer
    .input(uploadIdInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      await ctx.resolve(MultipartUploads).abort(ctx.caller, input.uploadId);
      return OK;
    }),
});
