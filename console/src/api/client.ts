import { createReelbaseClient, createTokenStore, type ReelbaseTokens, type TokenStore } from "@reelbase/client";

const STORAGE_KEY = "reelbase.console.session";

/**
 * The session lives in localStorage so a reload keeps the user signed in; the client refreshes the
 * access token itself and every new pair is written back. The strict Content-Security-Policy the
 * API sends (no inline or foreign script) is what keeps other code from reading it.
 */
function readStoredTokens(): ReelbaseTokens | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== "object" || parsed === null) return null;
    const { refreshToken, accessToken, accessTokenExpiresAt } = parsed as Record<string, unknown>;
    if (typeof refreshToken !== "string") return null;
    return {
      refreshToken,
      ...(typeof accessToken === "string" ? { accessToken } : {}),
      ...(typeof accessTokenExpiresAt === "string" ? { accessTokenExpiresAt } : {}),
    };
  } catch {
    return null;
  }
}

export const tokenStore: TokenStore = createTokenStore(readStoredTokens());

tokenStore.subscribe((tokens) => {
  if (tokens) localStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
  else localStorage.removeItem(STORAGE_KEY);
});

/** Same origin as the console: no CORS, and the SSE stream rides the same connection rules. */
export const client = createReelbaseClient({ url: window.location.origin, auth: { type: "bearer", store: tokenStore } });

export type { RouterInputs, RouterOutputs } from "@reelbase/client";
