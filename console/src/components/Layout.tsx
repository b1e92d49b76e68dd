import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { client } from "../api/client";
import { useSession } from "../api/session";
import { hrefTo } from "../router";

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
  const me = useQuery({ queryKey: ["auth.me"], queryFn: () => client.auth.me.query() });
  const balance = useQuery({ queryKey: ["credits.balance"], queryFn: () => client.credits.balance.query() });
  const links = me.data?.role === "ADMIN" ? [...LINKS, ["admin", "Admin"] as [string, string]] : LINKS;
  return (
    <div className="layout">
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
          {me.data && <span className="who">{me.data.email}</span>}
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">{children}</main>
    </div>
  );
}
