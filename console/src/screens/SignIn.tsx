import { useMutation } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useSession } from "../api/session";
import { ErrorNotice } from "../components/ErrorNotice";
import { markSignedIn } from "../components/focus-after-sign-in";
import { useDocumentTitle } from "../components/use-document-title";

/** Sign in, or create an account with the same two fields (and an optional name). */
export function SignIn() {
  const { signIn, signUp } = useSession();
  const [mode, setMode] = useState<"signIn" | "signUp">("signIn");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const ids = { email: useId(), password: useId(), name: useId() };
  const submit = useMutation({
    mutationFn: async () => {
      markSignedIn();
      await (mode === "signIn" ? signIn(email, password) : signUp(email, password, name || undefined));
    },
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit.mutate();
  };
  const title = mode === "signIn" ? "Sign in" : "Create an account";
  useDocumentTitle(title);
  return (
    <main id="main" className="sign-in">
      <h1>Reelbase</h1>
      <form onSubmit={onSubmit} aria-labelledby="sign-in-title" className="card">
        <h2 id="sign-in-title">{title}</h2>
        <label htmlFor={ids.email}>Email</label>
        <input
          id={ids.email}
          type="email"
          autoComplete="email"
          // The only task on this page; after a sign-out focus would otherwise be left on <body>.
          autoFocus
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor={ids.password}>Password</label>
        <input
          id={ids.password}
          type="password"
          autoComplete={mode === "signIn" ? "current-password" : "new-password"}
          required
          minLength={mode === "signUp" ? 8 : undefined}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {mode === "signUp" && (
          <>
            <label htmlFor={ids.name}>Name (optional)</label>
            <input id={ids.name} autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
          </>
        )}
        <button type="submit" disabled={submit.isPending} aria-busy={submit.isPending}>
          {title}
        </button>
        <ErrorNotice error={submit.error} />
      </form>
      <p>
        {mode === "signIn" ? "No account yet? " : "Already registered? "}
        <button
          type="button"
          className="link"
          onClick={() => {
            setMode(mode === "signIn" ? "signUp" : "signIn");
            submit.reset();
          }}
        >
          {mode === "signIn" ? "Create an account" : "Sign in instead"}
        </button>
      </p>
    </main>
  );
}
