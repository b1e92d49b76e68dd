import { useInfiniteQuery } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { client, type RouterOutputs } from "../api/client";
import { formatDateTime } from "../account/format";
import { LoadMore } from "../account/LoadMore";
import { ErrorNotice } from "../components/ErrorNotice";
import { hrefTo } from "../router";
import { isAdminRefusal } from "./admin-refusal";
import { AUDIT_ACTIONS, isAuditAction, type AuditAction } from "./admin-enums";
import { auditListInput, type AuditFilter } from "./list-filters";
import { TableScroll } from "../components/TableScroll";

type AuditRecord = RouterOutputs["admin"]["audit"]["list"]["items"][number];

const NO_FILTER: AuditFilter<AuditAction> = { action: "", actorId: "", from: "", to: "" };

export function AuditLog() {
  const ids = { action: useId(), actor: useId(), from: useId(), to: useId() };
  const [draft, setDraft] = useState(NO_FILTER);
  const [filter, setFilter] = useState(NO_FILTER);
  const input = auditListInput(filter);
  const audit = useInfiniteQuery({
    queryKey: ["admin.audit.list", input],
    queryFn: ({ pageParam }) => client.admin.audit.list.query({ ...input, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const items = audit.data?.pages.flatMap((page) => page.items) ?? [];
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setFilter(draft);
  };
  return (
    <section aria-labelledby="admin-audit">
      <h2 id="admin-audit">Audit log</h2>
      {!isAdminRefusal(audit.error) && (
        <form className="card filters" onSubmit={onSubmit} aria-label="Filter the audit log">
          <div className="stack">
            <label htmlFor={ids.action}>Action</label>
            <select
              id={ids.action}
              value={draft.action}
              onChange={(event) => setDraft({ ...draft, action: isAuditAction(event.target.value) ? event.target.value : "" })}
            >
              <option value="">Any action</option>
              {AUDIT_ACTIONS.map((action) => (
                <option key={action}>{action}</option>
              ))}
            </select>
          </div>
          <div className="stack">
            <label htmlFor={ids.actor}>Actor id</label>
            <input
              id={ids.actor}
              value={draft.actorId}
              onChange={(event) => setDraft({ ...draft, actorId: event.target.value })}
            />
          </div>
          <div className="stack">
            <label htmlFor={ids.from}>From</label>
            <input
              id={ids.from}
              type="datetime-local"
              value={draft.from}
              onChange={(event) => setDraft({ ...draft, from: event.target.value })}
            />
          </div>
          <div className="stack">
            <label htmlFor={ids.to}>To (that minute included)</label>
            <input
              id={ids.to}
              type="datetime-local"
              value={draft.to}
              onChange={(event) => setDraft({ ...draft, to: event.target.value })}
            />
          </div>
          <div className="actions">
            <button type="submit">Apply filters</button>
          </div>
        </form>
      )}
      {audit.isPending && <p>Loading…</p>}
      <ErrorNotice error={audit.error} onRetry={() => void audit.refetch()} />
      {audit.data && items.length === 0 && <p className="muted">No audit entries match.</p>}
      {items.length > 0 && (
        <TableScroll label="Audit log entries">
          <table data-testid="audit-log">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Action</th>
                <th scope="col">Actor</th>
                <th scope="col">Target</th>
                <th scope="col">Details</th>
                <th scope="col">Request</th>
              </tr>
            </thead>
            <tbody>
              {items.map((record) => (
                <AuditRow key={record.id} record={record} />
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <LoadMore hasMore={audit.hasNextPage} loading={audit.isFetchingNextPage} onLoad={() => void audit.fetchNextPage()} />
    </section>
  );
}

function AuditRow({ record }: { record: AuditRecord }) {
  const details = Object.entries(record.metadata);
  return (
    <tr>
      <td>{formatDateTime(record.createdAt)}</td>
      <th scope="row">{record.action}</th>
      <td>{record.actorId ? <UserLink id={record.actorId} /> : <span className="muted">system</span>}</td>
      <td>
        {record.targetType === "user" && record.targetId ? (
          <UserLink id={record.targetId} />
        ) : record.targetType ? (
          <>
            {record.targetType} <code>{record.targetId}</code>
          </>
        ) : (
          "\u2014"
        )}
      </td>
      <td>
        {details.length === 0
          ? "\u2014"
          : details.map(([key, value]) => (
              <div key={key}>
                {key}: {value === null ? "\u2014" : String(value)}
              </div>
            ))}
      </td>
      <td className="muted">
        {record.ip && <div>{record.ip}</div>}
        {record.correlationId && <code>{record.correlationId}</code>}
      </td>
    </tr>
  );
}

function UserLink({ id }: { id: string }) {
  return (
    <a href={hrefTo("admin", "users", id)}>
      user <code>{id.slice(0, 8)}</code>
    </a>
  );
}
