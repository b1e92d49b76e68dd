import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { client } from "../api/client";
import { formatDateTime } from "../account/format";
import { LiveStatus } from "../account/LiveStatus";
import { ErrorNotice } from "../components/ErrorNotice";
import { hrefTo } from "../router";
import { GrantCreditsForm } from "./GrantCreditsForm";
import { RoleTierForms } from "./RoleTierForms";
import { useUserChange } from "./use-user-change";

export function UserPage({ id }: { id: string }) {
  const [message, setMessage] = useState<string | null>(null);
  const user = useQuery({ queryKey: ["admin.users.get", id], queryFn: () => client.admin.users.get.query({ id }) });
  const setDisabled = useUserChange(
    (disabled: boolean) => client.admin.users.setDisabled.mutate({ id, disabled }),
    (saved) => setMessage(`${saved.email} is now ${saved.disabled ? "disabled" : "enabled"}.`),
  );
  const data = user.data;
  return (
    <section aria-labelledby="admin-user">
      <h2 id="admin-user">{data ? data.email : "User"}</h2>
      <p>
        <a href={hrefTo("admin")}>All users</a>
      </p>
      <LiveStatus message={message} />
      {user.isPending && <p>Loading…</p>}
      <ErrorNotice error={user.error} onRetry={() => void user.refetch()} />
      {data && (
        <>
          <dl className="facts card">
            <dt>Name</dt>
            <dd>{data.name ?? "\u2014"}</dd>
            <dt>Id</dt>
            <dd>
              <code>{data.id}</code>
            </dd>
            <dt>Role</dt>
            <dd data-testid="user-role">{data.role}</dd>
            <dt>Tier</dt>
            <dd data-testid="user-tier">{data.tier}</dd>
            <dt>Status</dt>
            <dd data-testid="user-status">{data.disabled ? "Disabled" : "Active"}</dd>
            <dt>Created</dt>
            <dd>{formatDateTime(data.createdAt)}</dd>
            <dt>Updated</dt>
            <dd>{formatDateTime(data.updatedAt)}</dd>
          </dl>
          {/* Keyed by the stored values, so the selects start again from what was saved. */}
          <RoleTierForms key={`${data.role}/${data.tier}`} user={data} onSaved={setMessage} />
          <section className="card" aria-labelledby="admin-user-access">
            <h3 id="admin-user-access">Access</h3>
            <p>
              {data.disabled
                ? "This user cannot sign in or use API keys."
                : "Disabling ends this user's sessions and refuses their API keys."}
            </p>
            <div className="actions">
              <button
                type="button"
                className={data.disabled ? "secondary" : "danger"}
                disabled={setDisabled.isPending}
                onClick={() => setDisabled.mutate(!data.disabled)}
              >
                {data.disabled ? "Enable user" : "Disable user"}
              </button>
            </div>
            <ErrorNotice error={setDisabled.error} />
          </section>
          <GrantCreditsForm userId={data.id} onGranted={setMessage} />
        </>
      )}
    </section>
  );
}
