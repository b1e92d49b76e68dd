import { hrefTo } from "../router";

/** The admin area's own pages; `current` marks the one shown. */
export function AdminNav({ current }: { current: "overview" | "audit" | "user" }) {
  return (
    <nav aria-label="Admin" className="sub-nav">
      <ul>
        <li>
          <a href={hrefTo("admin")} aria-current={current === "overview" ? "page" : undefined}>
            Stats and users
          </a>
        </li>
        <li>
          <a href={hrefTo("admin", "audit")} aria-current={current === "audit" ? "page" : undefined}>
            Audit log
          </a>
        </li>
      </ul>
    </nav>
  );
}
