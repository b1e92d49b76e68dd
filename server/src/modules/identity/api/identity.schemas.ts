import { z } from "zod";
import { idSchema, isoDateTime, pageInput, pageOutput, text } from "../../../shared/api/schemas.js";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../domain/password-policy.js";
import { API_KEY_SCOPES, ROLES, TIERS } from "../../../shared/domain/roles.js";

const email = text.trim().pipe(z.email().max(254));
const password = text.max(PASSWORD_MAX_LENGTH);
const newPassword = text.min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH);
const displayName = text.trim().max(100);

export const userOutput = z.object({
  id: idSchema,
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(ROLES),
  tier: z.enum(TIERS),
  createdAt: isoDateTime,
});

export const adminUserOutput = userOutput.extend({ disabled: z.boolean(), updatedAt: isoDateTime });

const tokens = {
  accessToken: z.string(),
  refreshToken: z.string(),
  accessTokenExpiresAt: isoDateTime,
};

export const registerInput = z.object({ email, password: newPassword, name: displayName.min(1).optional() });
export const loginInput = z.object({ email, password });
export const refreshInput = z.object({ refreshToken: text.min(1).max(256) });
export const sessionOutput = z.object({ user: userOutput, ...tokens });
export const tokensOutput = z.object(tokens);

export const updateProfileInput = z.object({ name: displayName.nullable() });
export const changePasswordInput = z.object({ currentPassword: password, newPassword });

export const apiKeyScope = z.enum(API_KEY_SCOPES);
export const createApiKeyInput = z.object({
  name: text.trim().min(1).max(100),
  scopes: z.array(apiKeyScope).min(1).max(API_KEY_SCOPES.length),
});
export const apiKeyOutput = z.object({
  id: idSchema,
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(apiKeyScope),
  createdAt: isoDateTime,
  lastUsedAt: isoDateTime.nullable(),
  revokedAt: isoDateTime.nullable(),
});
export const createdApiKeyOutput = z.object({ id: idSchema, key: z.string(), prefix: z.string(), scopes: z.array(apiKeyScope) });
export const idInput = z.object({ id: idSchema });

export const listUsersInput = z.object({
  ...pageInput,
  email: text.trim().min(1).max(254).optional(),
  role: z.enum(ROLES).optional(),
  tier: z.enum(TIERS).optional(),
});
export const userPageOutput = pageOutput(adminUserOutput);
export const setRoleInput = z.object({ id: idSchema, role: z.enum(ROLES) });
export const setTierInput = z.object({ id: idSchema, tier: z.enum(TIERS) });
export const setDisabledInput = z.object({ id: idSchema, disabled: z.boolean() });
