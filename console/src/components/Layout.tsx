import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, type MouseEvent, type ReactNode } from "react";
import { client } from "../api/client";
import { useSession } from "../api/session";
import { hrefTo, useRoute } from "../router";
import { takeSignedInMark } from "./focus-after-sign-in";

/** The hash is the route here, so the skip link moves focus itself instead of following "#main". */
function skipToMain(event: MouseEvent<HTMLAnchorElement>) {
  event.preventDefault();
  document.getElementById("main")?.focus();
}

const LINKS: [string, string][] = [
  ["videos", "Videos"],
  ["upload", "Upload"],
  ["generate", "Generate"],
  ["credits", "Credits"],
  ["keys", "API keys"],
  ["webhooks", "Webhooks"],
];

export function Layout({ section, children }: { section: string; children: ReactNode }) {
  const { signOut } = useSession();
  const mainRef = useRef<HTMLElement>(null);
  const path = useRoute().join("/");
  const shownPath = useRef(path);
  // A new screen is a new page to a screen reader only if focus moves: otherwise it stays on a link
  // or button of the last screen, or falls to <body> when that is gone (after an upload, a delete).
  useEffect(() => {
    if (takeSignedInMark() && document.activeElement === document.body) mainRef.current?.focus();
  }, []);
  useEffect(() => {
    if (shownPath.current === path) return;
    shownPath.current = path;
    mainRef.current?.focus();
  }, [path]);
  const me = useQuery({ queryKey: ["auth.me"], queryFn: () => client.auth.me.query() });
  const balance = useQuery({ queryKey: ["credits.balance"], queryFn: () => client.credits.balance.query() });
  const links = me.data?.role === "ADMIN" ? [...LINKS, ["admin", "Admin"] as [string, string]] : LINKS;
  return (
    <div className="layout">
      <a className="skip-link" href="#main" onClick={skipToMain}>
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href={hrefTo("videos")}>
          Reelbase
        </a>
        <nav aria-label="Main">
          <ul>
            {links.map(([path, label]) => (
              <li key={path}>
                <a href={hrefTo(path)} aria-current={section === path ? "page" : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          {balance.data && (
            <span data-testid="balance" className="balance">
              {balance.data.balance} credits
            </span>
          )}
          {me.data && (
            <span className="who" title={me.data.email}>
              {me.data.email}
            </span>
          )}
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
