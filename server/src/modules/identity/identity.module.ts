import { ContainerModule, type Newable } from "inversify";
import { APP_CONFIG, type AppConfig } from "../../config/config.js";
import { DATABASE, type Database } from "../../database/database.js";
import { CACHE, type Cache } from "../../shared/application/cache.js";
import { CachedUserRepository } from "./infra/cached-user.repository.js";
import { CLOCK, type Clock } from "../../shared/application/clock.js";
import { ACCESS_TOKENS } from "./application/access-tokens.js";
import { ChangeUserByAdminUseCase } from "./application/change-user-by-admin.use-case.js";
import { ListUsersQuery } from "./application/list-users.query.js";
import { API_KEY_REPOSITORY } from "./application/api-key.repository.js";
import { CreateApiKeyUseCase } from "./application/create-api-key.use-case.js";
import { ListApiKeysQuery } from "./application/list-api-keys.query.js";
import { RevokeApiKeyUseCase } from "./application/revoke-api-key.use-case.js";
import { AuthenticateUseCase } from "./application/authenticate.use-case.js";
import { BootstrapAdminUseCase } from "./application/bootstrap-admin.use-case.js";
import { ChangePasswordUseCase } from "./application/change-password.use-case.js";
import { GetUserQuery } from "./application/get-user.query.js";
import { LoginUseCase } from "./application/login.use-case.js";
import { LogoutUseCase } from "./application/logout.use-case.js";
import { PASSWORD_HASHER } from "./application/password-hasher.js";
import { RefreshSessionUseCase } from "./application/refresh-session.use-case.js";
import { RegisterUserUseCase } from "./application/register-user.use-case.js";
import { SessionIssuer } from "./application/session-issuer.js";
import { SESSION_REPOSITORY } from "./application/session.repository.js";
import { UpdateProfileUseCase } from "./application/update-profile.use-case.js";
import { USER_REPOSITORY } from "./application/user.repository.js";
import { Argon2PasswordHasher } from "./infra/argon2.password-hasher.js";
import { JoseAccessTokens } from "./infra/jose.access-tokens.js";
import { PrismaApiKeyRepository } from "./infra/prisma-api-key.repository.js";
import { PrismaSessionRepository } from "./infra/prisma-session.repository.js";
import { PrismaUserRepository } from "./infra/prisma-user.repository.js";

const useCases: Newable<object>[] = [
  RegisterUserUseCase,
  LoginUseCase,
  RefreshSessionUseCase,
  LogoutUseCase,
  AuthenticateUseCase,
  GetUserQuery,
  UpdateProfileUseCase,
  ChangePasswordUseCase,
  CreateApiKeyUseCase,
  ListApiKeysQuery,
  RevokeApiKeyUseCase,
  ListUsersQuery,
  ChangeUserByAdminUseCase,
  BootstrapAdminUseCase,
  SessionIssuer,
];

export const identityModule = new ContainerModule(({ bind }) => {
  bind(USER_REPOSITORY)
    .toDynamicValue((context) => {
      const database = context.get<Database>(DATABASE);
      return new CachedUserRepository(new PrismaUserRepository(database), context.get<Cache>(CACHE), database);
    })
    .inSingletonScope();
  bind(SESSION_REPOSITORY).to(PrismaSessionRepository).inSingletonScope();
  bind(API_KEY_REPOSITORY).to(PrismaApiKeyRepository).inSingletonScope();
  bind(PASSWORD_HASHER)
    .toDynamicValue((context) => {
      const { auth } = context.get<AppConfig>(APP_CONFIG);
      return new Argon2PasswordHasher({ ...auth.argon2, concurrency: auth.passwordHashConcurrency });
    })
    .inSingletonScope();
  bind(ACCESS_TOKENS)
    .toDynamicValue((context) => {
      const { auth } = context.get<AppConfig>(APP_CONFIG);
      const settings = {
        secret: auth.jwtSecret,
        issuer: auth.issuer,
        audience: auth.audience,
        ttlSeconds: auth.accessTokenTtlSeconds,
      };
      return new JoseAccessTokens(settings, context.get<Clock>(CLOCK));
    })
    .inSingletonScope();
  for (const useCase of useCases) bind(useCase).toSelf().inSingletonScope();
});
