import { OK, okSchema } from "../../../shared/api/schemas.js";
import { router, userProcedure } from "../../../trpc/init.js";
import { ChangePasswordUseCase } from "../application/change-password.use-case.js";
import { UpdateProfileUseCase } from "../application/update-profile.use-case.js";
import { toUserDto } from "./identity.mappers.js";
import { changePasswordInput, updateProfileInput, userOutput } from "./identity.schemas.js";

export const usersRouter = router({
  updateProfile: userProcedure
    .input(updateProfileInput)
    .output(userOutput)
    .mutation(async ({ ctx, input }) => toUserDto(await ctx.resolve(UpdateProfileUseCase).execute(ctx.caller, input))),

  changePassword: userProcedure
    .input(changePasswordInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      await ctx.resolve(ChangePasswordUseCase).execute(ctx.caller, input);
      return OK;
    }),
});
