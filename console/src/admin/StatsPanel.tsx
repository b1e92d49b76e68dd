import { useQuery } from "@tanstack/react-query";
import { client } from "../api/client";
import { ErrorNotice } from "../components/ErrorNotice";
import { formatBytes, jobTotals } from "./stats-summary";

/** The last 30 UTC days (the procedure's default range), as a handful of numbers. */
export function StatsPanel() {
  const stats = useQuery({ queryKey: ["admin.stats"], queryFn: () => client.admin.stats.query({}) });
  const data = stats.data;
  const jobs = data ? jobTotals(data.jobs) : null;
  return (
    <section className="card" aria-labelledby="admin-stats">
      <h2 id="admin-stats">Stats{data && <span className="muted"> ({`${data.from} to ${data.to}`}, UTC)</span>}</h2>
      {stats.isPending && <p>Loading…</p>}
      <ErrorNotice error={stats.error} onRetry={() => void stats.refetch()} />
      {data && jobs && (
        <dl className="stats" data-testid="admin-stats">
          <div>
            <dt>Active users</dt>
            <dd>{data.activeUsers}</dd>
          </div>
          <div>
            <dt>Views</dt>
            <dd>{data.views}</dd>
          </div>
          <div>
            <dt>Jobs</dt>
            <dd>
              {jobs.total}
              <span className="muted">
                {" "}
                ({jobs.byStatus.SUCCEEDED ?? 0} succeeded, {jobs.byStatus.FAILED ?? 0} failed)
              </span>
            </dd>
          </div>
          <div>
            <dt>Source minutes processed</dt>
            <dd>{data.sourceMinutesProcessed}</dd>
          </div>
          <div>
            <dt>Credits charged</dt>
            <dd>{data.credits.charged}</dd>
          </div>
          <div>
            <dt>Credits granted by admins</dt>
            <dd>{data.credits.adminGranted}</dd>
          </div>
          <div>
            <dt>Storage used</dt>
            <dd>{formatBytes(data.storage.totalBytes)}</dd>
          </div>
        </dl>
      )}
    </section>
  );
}
