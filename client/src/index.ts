import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
  type TRPCLink,
} from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { EventSource, type FetchLike } from "eventsource";
import type { AppRouter } from "@reelbase/server/router";
import { BearerSession, bearerAuthLink } from "./bearer-session.js";
import { createTokenStore, type ReelbaseTokens, type TokenStore, type TokensListener } from "./token-store.js";

export type { AppRouter };
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type ReelbaseClient = TRPCClient<AppRouter>;

export { ErrorCodes, errorCodeOf, isReelbaseError, type ErrorCode, type ReelbaseError } from "./errors.js";
export { createTokenStore, type ReelbaseTokens, type TokenStore, type TokensListener } from "./token-store.js";
export {
  verifyWebhook,
  WebhookVerificationError,
  type VerifyWebhookOptions,
  type WebhookHeaders,
  type WebhookVerificationReason,
} from "./verify-webhook.js";

/** For scripts: `Authorization: ApiKey rb_live_...`. */
export interface ApiKeyAuth {
  type: "apiKey";
  key: string;
}

/** A session you already hold (e.g. restored from storage); the client refreshes it by itself. */
export interface BearerTokensAuth extends ReelbaseTokens {
  type: "bearer";
  /** Called with every new token pair (persist them), and with null when the session ended. */
  onTokens?: TokensListener;
}

/**
 * A session kept in a store you own: start signed out, call `store.set(await client.auth.login.mutate(...))`,
 * `store.clear()` after logout. Listen with `store.subscribe`.
 */
export interface BearerStoreAuth {
  type: "bearer";
  store: TokenStore;
}

export type ReelbaseAuth = ApiKeyAuth | BearerTokensAuth | BearerStoreAuth;

export type HeadersInput = Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);

export interface ReelbaseClientOptions {
  /** The server's base URL, e.g. "http://127.0.0.1:3000"; calls go to `${url}/trpc`. */
  url: string;
  /** Omit for a signed-out client (register, login and other public procedures only). */
  auth?: ReelbaseAuth;
  /** A fetch implementation for all requests, including subscriptions; defaults to the global one. */
  fetch?: typeof globalThis.fetch;
  /** Extra headers for every request. An Authorization header here is overridden by `auth`. */
  headers?: HeadersInput;
}

/**
 * A tRPC client typed by the server's router: queries and mutations are batched over HTTP,
 * subscriptions use Server-Sent Events, and bearer sessions refresh themselves.
 */
export function createReelbaseClient(options: ReelbaseClientOptions): ReelbaseClient {
  const trpcUrl = `${options.url.replace(/\/+$/, "")}/trpc`;
  const baseFetch = options.fetch;
  const extraHeaders = async (): Promise<Record<string, string>> =>
    typeof options.headers === "function" ? options.headers() : (options.headers ?? {});

  const session = options.auth?.type === "bearer" ? createSession(options.auth, trpcUrl, baseFetch, extraHeaders) : null;
  const auth = options.auth;
  // Read at send time rather than captured, so every batch carries the newest access token.
  const authorization = (): Record<string, string> => {
    if (auth?.type === "apiKey") return { Authorization: `ApiKey ${auth.key}` };
    const accessToken = session?.store.get()?.accessToken;
    return accessToken ? { Authorization: `Bearer ${accessToken}` } : {};
  };
  const headers = async (): Promise<Record<string, string>> => ({ ...(await extraHeaders()), ...authorization() });

  // EventSource cannot set headers itself; the `eventsource` package lets us wrap its fetch,
  // which also runs on every reconnect, so a long-lived stream reconnects with a fresh token.
  const sseFetch: FetchLike = async (url, init) => {
    if (session) await session.accessToken().catch(() => null); // a failed refresh surfaces as the server's 401
    const request = { ...init, headers: { ...init.headers, ...(await headers()) } };
    return (baseFetch ?? globalThis.fetch)(url, request);
  };

  const links: TRPCLink<AppRouter>[] = [];
  if (session) links.push(bearerAuthLink(session));
  links.push(
    splitLink({
      condition: (op) => op.type === "subscription",
      true: httpSubscriptionLink({ url: trpcUrl, EventSource, eventSourceOptions: { fetch: sseFetch } }),
      false: httpBatchLink({ url: trpcUrl, headers, ...(baseFetch ? { fetch: baseFetch } : {}) }),
    }),
  );
  return createTRPCClient<AppRouter>({ links });
}

function createSession(
  auth: BearerTokensAuth | BearerStoreAuth,
  trpcUrl: string,
  fetch: typeof globalThis.fetch | undefined,
  extraHeaders: () => Promise<Record<string, string>>,
): BearerSession {
  let store: TokenStore;
  if ("store" in auth) {
    store = auth.store;
  } else {
    const { type: _type, onTokens, ...tokens } = auth;
    store = createTokenStore(tokens);
    if (onTokens) store.subscribe(onTokens);
  }
  // A separate client without the auth link: a refresh must never wait for (or trigger) itself.
  const plain = createTRPCClient<AppRouter>({
    links: [httpLink({ url: trpcUrl, headers: extraHeaders, ...(fetch ? { fetch } : {}) })],
  });
  return new BearerSession(store, (refreshToken) => plain.auth.refresh.mutate({ refreshToken }));
}
