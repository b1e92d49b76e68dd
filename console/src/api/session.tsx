import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import type { ReelbaseTokens } from "@reelbase/client";
import { navigate } from "../router";
import { client, tokenStore } from "./client";

interface Session {
  signedIn: boolean;
  signIn(email: string, password: string): Promise<void>;
  signUp(email: string, password: string, name?: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

/** Signed in while the token store holds a session; a refused refresh clears it and shows the sign-in page. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [signedIn, setSignedIn] = useState(() => tokenStore.get() !== null);
  useEffect(() => tokenStore.subscribe((tokens) => setSignedIn(tokens !== null)), []);

  // A session that ended by itself (a refused refresh) left the last user's answers in the cache:
  // they go before anyone else's session starts, so no screen shows them while it refetches.
  const start = useCallback(
    (tokens: ReelbaseTokens) => {
      queryClient.clear();
      tokenStore.set(tokens);
    },
    [queryClient],
  );
  const signIn = useCallback(
    async (email: string, password: string) => start(await client.auth.login.mutate({ email, password })),
    [start],
  );
  const signUp = useCallback(
    async (email: string, password: string, name?: string) =>
      start(await client.auth.register.mutate({ email, password, ...(name ? { name } : {}) })),
    [start],
  );
  const signOut = useCallback(async () => {
    const refreshToken = tokenStore.get()?.refreshToken;
    try {
      if (refreshToken) await client.auth.logout.mutate({ refreshToken });
    } catch {
      // Signing out here must work offline too: the browser forgets the session either way, and the
      // server's copy expires by itself. Rethrowing would only be an unhandled rejection in the button.
    }
    tokenStore.clear();
    queryClient.clear();
    // The next person to sign in here starts on their own video list, not on a page of the last user's
    // (a video, a webhook) that would answer "not found" for them.
    navigate("videos");
  }, [queryClient]);

  const value = useMemo(() => ({ signedIn, signIn, signUp, signOut }), [signedIn, signIn, signUp, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}
