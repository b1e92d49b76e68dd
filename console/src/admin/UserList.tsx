import { useInfiniteQuery } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { client } from "../api/client";
import { formatDateTime } from "../account/format";
import { LoadMore } from "../account/LoadMore";
import { ErrorNotice } from "../components/ErrorNotice";
import { hrefTo } from "../router";
import { isAdminRefusal } from "./admin-refusal";
import { isRole, isTier, ROLES, TIERS, type Role, type Tier } from "./admin-enums";
import { usersListInput, type UserSearch } from "./list-filters";
import { TableScroll } from "../components/TableScroll";

const NO_SEARCH: UserSearch<Role, Tier> = { email: "", role: "", tier: "" };

export function UserList() {
  const ids = { email: useId(), role: useId(), tier: useId() };
  const [draft, setDraft] = useState(NO_SEARCH);
  // The list follows the submitted search, not every keystroke.
  const [search, setSearch] = useState(NO_SEARCH);
  const input = usersListInput(search);
  const users = useInfiniteQuery({
    queryKey: ["admin.users.list", input],
    queryFn: ({ pageParam }) => client.admin.users.list.query({ ...input, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const items = users.data?.pages.flatMap((page) => page.items) ?? [];
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSearch(draft);
  };
  return (
    <section aria-labelledby="admin-users">
      <h2 id="admin-users">Users</h2>
      {!isAdminRefusal(users.error) && (
        <form className="card filters" onSubmit={onSubmit} aria-label="Search users">
          <div className="stack">
            <label htmlFor={ids.email}>Email contains</label>
            <input
              id={ids.email}
              type="search"
              value={draft.email}
              onChange={(event) => setDraft({ ...draft, email: event.target.value })}
            />
          </div>
          <div className="stack">
            <label htmlFor={ids.role}>Filter by role</label>
            <select
              id={ids.role}
              value={draft.role}
              onChange={(event) => setDraft({ ...draft, role: isRole(event.target.value) ? event.target.value : "" })}
            >
              <option value="">Any role</option>
              {ROLES.map((role) => (
                <option key={role}>{role}</option>
              ))}
            </select>
          </div>
          <div className="stack">
            <label htmlFor={ids.tier}>Filter by tier</label>
            <select
              id={ids.tier}
              value={draft.tier}
              onChange={(event) => setDraft({ ...draft, tier: isTier(event.target.value) ? event.target.value : "" })}
            >
              <option value="">Any tier</option>
              {TIERS.map((tier) => (
                <option key={tier}>{tier}</option>
              ))}
            </select>
          </div>
          <div className="actions">
            <button type="submit">Search</button>
          </div>
        </form>
      )}
      {users.isPending && <p>Loading…</p>}
      <ErrorNotice error={users.error} onRetry={() => void users.refetch()} />
      {users.data && items.length === 0 && <p className="muted">No users match.</p>}
      {items.length > 0 && (
        <TableScroll label="Users">
          <table>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Tier</th>
                <th scope="col">Disabled</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {items.map((user) => (
                <tr key={user.id}>
                  <th scope="row">
                    <a href={hrefTo("admin", "users", user.id)}>{user.email}</a>
                  </th>
                  <td>{user.name ?? "\u2014"}</td>
                  <td>{user.role}</td>
                  <td>{user.tier}</td>
                  <td>{user.disabled ? "Yes" : "No"}</td>
                  <td>{formatDateTime(user.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <LoadMore hasMore={users.hasNextPage} loading={users.isFetchingNextPage} onLoad={() => void users.fetchNextPage()} />
    </section>
  );
}
