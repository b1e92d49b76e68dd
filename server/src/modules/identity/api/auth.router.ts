import { OK, okSchema } from "../../../shared/api/schemas.js";
import { publicProcedure, router, userProcedure } from "../../../trpc/init.js";
import { GetUserQuery } from "../application/get-user.query.js";
import { LoginUseCase } from "../application/login.use-case.js";
import { LogoutUseCase } from "../application/logout.use-case.js";
import { RefreshSessionUseCase } from "../application/refresh-session.use-case.js";
import { RegisterUserUseCase } from "../application/register-user.use-case.js";
import { toTokensDto, toUserDto } from "./identity.mappers.js";
import { loginInput, refreshInput, registerInput, sessionOutput, tokensOutput, userOutput } from "./identity.schemas.js";

export const authRouter = router({
  register: publicProcedure
    .input(registerInput)
    .output(sessionOutput)
    .mutation(async ({ ctx, input }) => {
      const { user, ...tokens } = await ctx.resolve(RegisterUserUseCase).execute(input);
      return { user: toUserDto(user), ...toTokensDto(tokens) };
    }),

  login: publicProcedure
    .input(loginInput)
    .output(sessionOutput)
    .mutation(async ({ ctx, input }) => {
      const { user, ...tokens } = await ctx.resolve(LoginUseCase).execute(input);
      return { user: toUserDto(user), ...toTokensDto(tokens) };
    }),

  refresh: publicProcedure
    .input(refreshInput)
    .output(tokensOutput)
    .mutation(async ({ ctx, input }) => toTokensDto(await ctx.resolve(RefreshSessionUseCase).execute(input))),

  logout: userProcedure
    .input(refreshInput)
    .output(okSchema)
    .mutation(async ({ ctx, input }) => {
      await ctx.resolve(LogoutUseCase).execute(ctx.caller, input);
      return OK;
    }),

  me: userProcedure
    .output(userOutput)
    .query(async ({ ctx }) => toUserDto(await ctx.resolve(GetUserQuery).execute(ctx.caller.userId))),
});
