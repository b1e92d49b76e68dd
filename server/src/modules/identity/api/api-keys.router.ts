import { z } from "zod";
import { router, userProcedure } from "../../../trpc/init.js";
import { CreateApiKeyUseCase } from "../application/create-api-key.use-case.js";
import { ListApiKeysQuery } from "../application/list-api-keys.query.js";
import { RevokeApiKeyUseCase } from "../application/revoke-api-key.use-case.js";
import { toApiKeyDto } from "./identity.mappers.js";
import { apiKeyOutput, createApiKeyInput, createdApiKeyOutput, idInput } from "./identity.schemas.js";

export const apiKeysRouter = router({
  create: userProcedure
    .input(createApiKeyInput)
    .output(createdApiKeyOutput)
    .mutation(async ({ ctx, input }) => {
      const { apiKey, key } = await ctx.resolve(CreateApiKeyUseCase).execute(ctx.caller, input);
      const { id, prefix, scopes } = toApiKeyDto(apiKey);
      return { id, key, prefix, scopes };
    }),

  list: userProcedure
    .output(z.array(apiKeyOutput))
    .query(async ({ ctx }) => (await ctx.resolve(ListApiKeysQuery).execute(ctx.caller)).map(toApiKeyDto)),

  revoke: userProcedure
    .input(idInput)
    .output(apiKeyOutput)
    .mutation(async ({ ctx, input }) => toApiKeyDto(await ctx.resolve(RevokeApiKeyUseCase).execute(ctx.caller, input))),
});
