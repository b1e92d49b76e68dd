/** The session tokens the client sends and refreshes. `auth.login`/`auth.register`/`auth.refresh` return a superset. */
export interface ReelbaseTokens {
  /** Omit when only a refresh token was kept: the client refreshes before its first call. */
  accessToken?: string;
  refreshToken: string;
  /** The server's expiry hint; only consulted when the JWT itself carries no `exp`. */
  accessTokenExpiresAt?: string | Date;
}

export type TokensListener = (tokens: Readonly<ReelbaseTokens> | null) => void;

/**
 * Holds a bearer session outside the tRPC client, because the client proxy turns every
 * property into a procedure path (`client.auth` is the auth router), so it cannot carry
 * methods of its own. Keep a reference to set tokens after `auth.login` or clear them after logout.
 */
export interface TokenStore {
  /** The current tokens, or null when signed out. */
  get(): Readonly<ReelbaseTokens> | null;
  /** Stores tokens, e.g. the result of `auth.login`; fields other than the token fields are ignored. */
  set(tokens: ReelbaseTokens): void;
  /** Forgets the session, e.g. after `auth.logout` or when the refresh token was rejected. */
  clear(): void;
  /** Called after every `set`/`clear` (null when cleared). Returns the unsubscribe function. */
  subscribe(listener: TokensListener): () => void;
}

export function createTokenStore(initial?: ReelbaseTokens | null): TokenStore {
  let current: Readonly<ReelbaseTokens> | null = initial ? pickTokens(initial) : null;
  const listeners = new Set<TokensListener>();
  const emit = (): void => {
    for (const listener of [...listeners]) listener(current);
  };
  return {
    get: () => current,
    set(tokens) {
      current = pickTokens(tokens);
      emit();
    },
    clear() {
      current = null;
      emit();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Copies only the token fields, so a whole login result (with `user`) can be passed to `set`. */
function pickTokens(tokens: ReelbaseTokens): Readonly<ReelbaseTokens> {
  const picked: ReelbaseTokens = { refreshToken: tokens.refreshToken };
  if (tokens.accessToken !== undefined) picked.accessToken = tokens.accessToken;
  if (tokens.accessTokenExpiresAt !== undefined) picked.accessTokenExpiresAt = tokens.accessTokenExpiresAt;
  return Object.freeze(picked);
}

/**
 * When the access token stops being accepted, in epoch ms: the JWT's `exp` (read without
 * verifying: the server is the judge, this only avoids sending a token it would reject),
 * else `accessTokenExpiresAt`, else Infinity (then only a rejection triggers a refresh).
 */
export function accessTokenExpiry(tokens: Readonly<ReelbaseTokens>): number {
  const exp = tokens.accessToken ? jwtExp(tokens.accessToken) : undefined;
  if (exp !== undefined) return exp * 1000;
  if (tokens.accessTokenExpiresAt !== undefined) {
    const at = new Date(tokens.accessTokenExpiresAt).getTime();
    if (Number.isFinite(at)) return at;
  }
  return Number.POSITIVE_INFINITY;
}

function jwtExp(jwt: string): number | undefined {
  const payload = jwt.split(".")[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const json: unknown = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "=")));
    if (typeof json === "object" && json !== null && "exp" in json && typeof json.exp === "number") return json.exp;
  } catch {
    // Not a JWT we can read (opaque token): fall back to the server's expiry hint.
  }
  return undefined;
}
