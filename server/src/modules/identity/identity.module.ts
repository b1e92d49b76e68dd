import { ContainerModule, type Newable } from "inversify";
import { APP_CONFIG, type AppConfig } from "../../config/config.js";
import { DATABASE, type Database } from "../../database/database.js";
import { CACHE, type Cache } from "../../shared/application/cache.js";
import { CachedUserRepository } from "./infra/cached-user.repository.js";
import { CLOCK, type Clock } from "../../shared/application/clock.js";
import { EVENT_BUS, type EventBus } from "../../shared/application/event-bus.js";
import { LOGGER, type Logger } from "../../shared/application/logger.js";
import { METRICS, type Metrics } from "../../shared/application/metrics.js";
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
import { AuthStateCaches } from "./infra/auth-state-caches.js";
import { JoseAccessTokens } from "./infra/jose.access-tokens.js";
import { PrismaApiKeyRepository } from "./infra/prisma-api-key.repository.js";
import { PrismaSessionRepository } from "./infra/prisma-session.repository.js";
import { PrismaUserRepository } from "./infra/prisma-user.repository.js";
import { NearCachedApiKeyRepository } from "./infra/near-cached-api-key.repository.js";
import { NearCachedSessionRepository } from "./infra/near-cached-session.repository.js";
import { NearCachedUserRepository } from "./infra/near-cached-user.repository.js";
import { HOUSEKEEPING_TASK } from "../../shared/application/housekeeping.js";
import { EXPIRED_SESSIONS } from "./application/expired-sessions.js";
import { PruneExpiredSessionsTask } from "./application/prune-expired-sessions.task.js";
import { PrismaExpiredSessions } from "./infra/prisma-expired-sessions.js";

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
  // What authentication reads on every request, kept in this process and invalidated from every one (ADR 0014).
  bind(AuthStateCaches)
    .toDynamicValue((context) => {
      const caches = new AuthStateCaches(
        context.get<EventBus>(EVENT_BUS),
        context.get<Database>(DATABASE),
        context.get<Logger>(LOGGER),
      );
      void caches.listen();
      return caches;
    })
    .inSingletonScope();
  bind(USER_REPOSITORY)
    .toDynamicValue((context) => {
      const database = context.get<Database>(DATABASE);
      const shared = new CachedUserRepository(new PrismaUserRepository(database), context.get<Cache>(CACHE), database, {
        metrics: context.get<Metrics>(METRICS),
      });
      return new NearCachedUserRepository(shared, context.get(AuthStateCaches));
    })
    .inSingletonScope();
  bind(SESSION_REPOSITORY)
    .toDynamicValue(
      (context) =>
        new NearCachedSessionRepository(
          new PrismaSessionRepository(context.get<Database>(DATABASE)),
          context.get(AuthStateCaches),
        ),
    )
    .inSingletonScope();
  bind(API_KEY_REPOSITORY)
    .toDynamicValue(
      (context) =>
        new NearCachedApiKeyRepository(new PrismaApiKeyRepository(context.get<Database>(DATABASE)), context.get(AuthStateCaches)),
    )
    .inSingletonScope();
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
  bind(EXPIRED_SESSIONS).to(PrismaExpiredSessions).inSingletonScope();
  bind(HOUSEKEEPING_TASK).to(PruneExpiredSessionsTask).inSingletonScope();
});
