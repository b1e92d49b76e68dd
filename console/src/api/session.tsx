import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
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

  const signIn = useCallback(async (email: string, password: string) => {
    tokenStore.set(await client.auth.login.mutate({ email, password }));
  }, []);
  const signUp = useCallback(async (email: string, password: string, name?: string) => {
    tokenStore.set(await client.auth.register.mutate({ email, password, ...(name ? { name } : {}) }));
  }, []);
  const signOut = useCallback(async () => {
    const refreshToken = tokenStore.get()?.refreshToken;
    try {
      if (refreshToken) await client.auth.logout.mutate({ refreshToken });
    } finally {
      tokenStore.clear();
      queryClient.clear();
    }
  }, [queryClient]);

  const value = useMemo(() => ({ signedIn, signIn, signUp, signOut }), [signedIn, signIn, signUp, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}
