import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { client } from "../api/client";
import { ErrorNotice } from "../components/ErrorNotice";
import { formatDateTime } from "./format";
import { LoadMore } from "./LoadMore";
import { TableScroll } from "../components/TableScroll";

/** How often the log is read again while a delivery is still on its way. */
const PENDING_POLL_MS = 2000;

export function DeliveryLog({ endpointId, onRedelivered }: { endpointId: string; onRedelivered: (eventType: string) => void }) {
  const queryClient = useQueryClient();
  const queryKey = ["webhooks.deliveries", endpointId];
  const deliveries = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => client.webhooks.deliveries.query({ endpointId, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    // Deliveries are sent by a worker after the call returns: keep reading until none is pending.
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.items.some((item) => item.status === "PENDING")) ? PENDING_POLL_MS : false,
  });
  const redeliver = useMutation({
    mutationFn: (deliveryId: string) => client.webhooks.redeliver.mutate({ deliveryId }),
    onSuccess: (delivery) => {
      onRedelivered(delivery.eventType);
      void queryClient.invalidateQueries({ queryKey });
    },
  });
  const items = deliveries.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section aria-labelledby="webhook-deliveries">
      <h2 id="webhook-deliveries">Deliveries</h2>
      {deliveries.isPending && <p>Loading…</p>}
      <ErrorNotice error={deliveries.error} onRetry={() => void deliveries.refetch()} />
      <ErrorNotice error={redeliver.error} />
      {deliveries.data && items.length === 0 && <p className="muted">No deliveries yet. Send a test to see one.</p>}
      {items.length > 0 && (
        <TableScroll label="Deliveries">
          <table data-testid="webhook-deliveries">
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col" className="number">
                  Attempts
                </th>
                <th scope="col">Response</th>
                <th scope="col">Time</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((delivery) => (
                <tr key={delivery.id}>
                  <th scope="row" id={`delivery-${delivery.id}`}>
                    {delivery.eventType}
                    <div className="muted">
                      <code>{delivery.eventId}</code>
                    </div>
                  </th>
                  <td>
                    <span className="status">{delivery.status}</span>
                    {delivery.nextAttemptAt && delivery.status === "PENDING" && (
                      <div className="muted">next try {formatDateTime(delivery.nextAttemptAt)}</div>
                    )}
                  </td>
                  <td className="number">{delivery.attempts}</td>
                  <td>
                    {delivery.lastStatus ?? "\u2014"}
                    {delivery.lastDurationMs !== null && <span className="muted"> in {delivery.lastDurationMs} ms</span>}
                    {delivery.lastError && <div className="muted">{delivery.lastError}</div>}
                  </td>
                  <td>{formatDateTime(delivery.updatedAt)}</td>
                  <td>
                    <button
                      type="button"
                      className="secondary"
                      // Every row's button is "Redeliver"; the description says which delivery it sends again.
                      aria-describedby={`delivery-${delivery.id}`}
                      disabled={redeliver.isPending}
                      onClick={() => redeliver.mutate(delivery.id)}
                    >
                      Redeliver
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <LoadMore
        hasMore={deliveries.hasNextPage}
        loading={deliveries.isFetchingNextPage}
        onLoad={() => void deliveries.fetchNextPage()}
      />
    </section>
  );
}
