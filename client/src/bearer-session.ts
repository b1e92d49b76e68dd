import { TRPCClientError, type TRPCLink } from "@trpc/client";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import type { AppRouter } from "@reelbase/server/router";
import { ErrorCodes } from "@reelbase/server/error-codes";
import { isReelbaseError, type ReelbaseError } from "./errors.js";
import { accessTokenExpiry, type ReelbaseTokens, type TokenStore } from "./token-store.js";

/** Refresh this long before expiry, so a token cannot lapse between the check and the server. */
const REFRESH_MARGIN_MS = 30_000;

/** Public procedures that must work signed out; refreshing first could only make them fail. */
const NO_SESSION_PATHS: ReadonlySet<string> = new Set(["auth.register", "auth.login", "auth.refresh"]);

export type RefreshTokens = (refreshToken: string) => Promise<ReelbaseTokens>;

/** Keeps the access token in a TokenStore fresh, with at most one refresh in flight. */
export class BearerSession {
  private inFlight: Promise<string | null> | null = null;

  constructor(
    readonly store: TokenStore,
    private readonly refreshTokens: RefreshTokens,
    private readonly now: () => number = Date.now,
  ) {}

  /** The access token to send: refreshed first when missing or about to expire; null when signed out. */
  async accessToken(): Promise<string | null> {
    const tokens = this.store.get();
    if (!tokens) return null;
    if (tokens.accessToken && accessTokenExpiry(tokens) - this.now() > REFRESH_MARGIN_MS) return tokens.accessToken;
    return this.refresh();
  }

  /**
   * After the server rejected `rejected`: refreshes, unless another call already replaced
   * that token (then the new one is used without a second refresh).
   */
  async afterRejection(rejected: string | null): Promise<string | null> {
    const tokens = this.store.get();
    if (!tokens) return null;
    if (tokens.accessToken && tokens.accessToken !== rejected) return tokens.accessToken;
    return this.refresh();
  }

  /** Concurrent callers share one request: refresh tokens rotate, a second refresh would be a reuse. */
  refresh(): Promise<string | null> {
    this.inFlight ??= this.runRefresh().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async runRefresh(): Promise<string | null> {
    const refreshToken = this.store.get()?.refreshToken;
    if (!refreshToken) return null;
    try {
      const fresh = await this.refreshTokens(refreshToken);
      // A logout or login during the request wins over this result.
      if (this.store.get()?.refreshToken === refreshToken) this.store.set(fresh);
      return this.store.get()?.accessToken ?? null;
    } catch (error) {
      // A rejected refresh token is dead for good: forget the session so onTokens sees the sign-out.
      if (isRefreshRejection(error) && this.store.get()?.refreshToken === refreshToken) this.store.clear();
      throw error;
    }
  }
}

function isRefreshRejection(error: unknown): boolean {
  return isReelbaseError(error) && error.data?.code === "UNAUTHORIZED";
}

function isAccessTokenRejection(error: ReelbaseError): boolean {
  return error.data?.code === "UNAUTHORIZED" && error.data.errorCode === ErrorCodes.INVALID_ACCESS_TOKEN;
}

function toClientError(cause: unknown): ReelbaseError {
  if (cause instanceof TRPCClientError) return cause;
  return TRPCClientError.from<AppRouter>(cause instanceof Error ? cause : new Error(String(cause)));
}

/**
 * Makes sure each call leaves with a fresh access token (the HTTP links read it from the
 * store), and repeats a call once when the server still answers INVALID_ACCESS_TOKEN, e.g.
 * after a clock skew or a server-side revocation of that token. Repeating is safe for
 * mutations too: the rejection happens in the auth middleware, before the procedure runs.
 */
export function bearerAuthLink(session: BearerSession): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) => {
      if (NO_SESSION_PATHS.has(op.path)) return next(op);
      return observable((observer) => {
        let subscription: Unsubscribable | null = null;
        let stopped = false;
        let delivered = false;

        const send = (token: string | null, isRetry: boolean): void => {
          if (stopped) return;
          subscription = next(op).subscribe({
            next(envelope) {
              // Connection-state and "started" envelopes carry no data; a retry may repeat them.
              const type = envelope.result.type;
              if (type === undefined || type === "data") delivered = true;
              observer.next(envelope);
            },
            error(error) {
              // Only before any result: a subscription that already streamed must not silently restart.
              if (isRetry || delivered || !isAccessTokenRejection(error)) return observer.error(error);
              session.afterRejection(token).then(
                (fresh) => (fresh ? send(fresh, true) : observer.error(error)),
                (refreshError: unknown) => observer.error(toClientError(refreshError)),
              );
            },
            complete() {
              observer.complete();
            },
          });
        };

        session.accessToken().then(
          (token) => send(token, false),
          (refreshError: unknown) => observer.error(toClientError(refreshError)),
        );
        return () => {
          stopped = true;
          subscription?.unsubscribe();
        };
      });
    };
}
