import { adminProcedure, router } from "../../../trpc/init.js";
import { ChangeUserByAdminUseCase } from "../application/change-user-by-admin.use-case.js";
import { ListUsersQuery } from "../application/list-users.query.js";
import { GetUserQuery } from "../application/get-user.query.js";
import { toAdminUserDto } from "./identity.mappers.js";
import {
  adminUserOutput,
  idInput,
  listUsersInput,
  setDisabledInput,
  setRoleInput,
  setTierInput,
  userPageOutput,
} from "./identity.schemas.js";

export const adminUsersRouter = router({
  list: adminProcedure
    .input(listUsersInput)
    .output(userPageOutput)
    .query(async ({ ctx, input: { cursor, limit, ...filter } }) => {
      const page = await ctx.resolve(ListUsersQuery).execute(filter, { cursor, limit });
      return { items: page.items.map(toAdminUserDto), nextCursor: page.nextCursor };
    }),

  get: adminProcedure
    .input(idInput)
    .output(adminUserOutput)
    .query(async ({ ctx, input }) => toAdminUserDto(await ctx.resolve(GetUserQuery).execute(input.id))),

  setRole: adminProcedure
    .input(setRoleInput)
    .output(adminUserOutput)
    .mutation(async ({ ctx, input }) =>
      toAdminUserDto(
        await ctx.resolve(ChangeUserByAdminUseCase).execute(ctx.caller, input.id, { kind: "role", value: input.role }),
      ),
    ),

  setTier: adminProcedure
    .input(setTierInput)
    .output(adminUserOutput)
    .mutation(async ({ ctx, input }) =>
      toAdminUserDto(
        await ctx.resolve(ChangeUserByAdminUseCase).execute(ctx.caller, input.id, { kind: "tier", value: input.tier }),
      ),
    ),

  setDisabled: adminProcedure
    .input(setDisabledInput)
    .output(adminUserOutput)
    .mutation(async ({ ctx, input }) =>
      toAdminUserDto(
        await ctx.resolve(ChangeUserByAdminUseCase).execute(ctx.caller, input.id, { kind: "disabled", value: input.disabled }),
      ),
    ),
});
