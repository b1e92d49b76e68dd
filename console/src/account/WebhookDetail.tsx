import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { client } from "../api/client";
import { ErrorNotice } from "../components/ErrorNotice";
import { hrefTo, navigate } from "../router";
import { DeliveryLog } from "./DeliveryLog";
import { formatDateTime } from "./format";
import { LiveStatus } from "./LiveStatus";
import { ShownOnce } from "./ShownOnce";

/** One endpoint: its state, the actions on it, and what was sent to it. */
export function WebhookDetail({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const [message, setMessage] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const webhook = useQuery({ queryKey: ["webhooks.get", id], queryFn: () => client.webhooks.get.query({ id }) });

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ["webhooks.get", id] });
    void queryClient.invalidateQueries({ queryKey: ["webhooks.list"] });
  };
  const setEnabled = useMutation({
    mutationFn: (enabled: boolean) => client.webhooks.update.mutate({ id, enabled }),
    onSuccess: (updated) => {
      setMessage(updated.status === "ACTIVE" ? "Webhook enabled." : "Webhook disabled.");
      refresh();
    },
  });
  const rotate = useMutation({
    mutationFn: () => client.webhooks.rotateSecret.mutate({ id }),
    onSuccess: (rotated) => {
      setSecret(rotated.secret);
      setMessage("Signing secret rotated. Copy the new one now: it will not be shown again.");
      refresh();
    },
  });
  const sendTest = useMutation({
    mutationFn: () => client.webhooks.test.mutate({ id }),
    onSuccess: (sent) => {
      setMessage(`Test event ${sent.eventId} queued.`);
      void queryClient.invalidateQueries({ queryKey: ["webhooks.deliveries", id] });
    },
  });
  const remove = useMutation({
    mutationFn: () => client.webhooks.delete.mutate({ id }),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: ["webhooks.get", id] });
      void queryClient.invalidateQueries({ queryKey: ["webhooks.list"] });
      navigate("webhooks");
    },
  });
  const busy = setEnabled.isPending || rotate.isPending || sendTest.isPending || remove.isPending;

  return (
    <>
      <p>
        <a href={hrefTo("webhooks")}>All webhooks</a>
      </p>
      <LiveStatus message={message} />
      <ErrorNotice error={webhook.error} onRetry={() => void webhook.refetch()} />
      {webhook.isPending && <p>Loading…</p>}
      {secret && <ShownOnce title="Signing secret" value={secret} testId="webhook-secret" />}
      {webhook.data && (
        <section className="card" aria-labelledby="webhook-endpoint">
          <h2 id="webhook-endpoint">{webhook.data.url}</h2>
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <span className="status" data-testid="webhook-status">
                {webhook.data.status}
              </span>
              {webhook.data.disabledReason && <span className="muted"> {webhook.data.disabledReason}</span>}
            </dd>
            {webhook.data.description && (
              <>
                <dt>Description</dt>
                <dd>{webhook.data.description}</dd>
              </>
            )}
            <dt>Events</dt>
            <dd>{webhook.data.events.join(", ")}</dd>
            <dt>Failures in a row</dt>
            <dd>
              {webhook.data.failureCount}
              {webhook.data.failingSince && <span className="muted"> since {formatDateTime(webhook.data.failingSince)}</span>}
            </dd>
            <dt>Created</dt>
            <dd>{formatDateTime(webhook.data.createdAt)}</dd>
          </dl>
          <div className="actions">
            <button type="button" onClick={() => sendTest.mutate()} disabled={busy}>
              Send test
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => setEnabled.mutate(webhook.data.status !== "ACTIVE")}
              disabled={busy}
            >
              {webhook.data.status === "ACTIVE" ? "Disable" : "Enable"}
            </button>
            <button type="button" className="secondary" onClick={() => rotate.mutate()} disabled={busy}>
              Rotate secret
            </button>
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() => {
                if (window.confirm(`Delete the webhook to ${webhook.data.url}? Its delivery log goes with it.`)) remove.mutate();
              }}
            >
              Delete
            </button>
          </div>
          <ErrorNotice error={sendTest.error} />
          <ErrorNotice error={setEnabled.error} />
          <ErrorNotice error={rotate.error} />
          <ErrorNotice error={remove.error} />
        </section>
      )}
      {webhook.data && <DeliveryLog endpointId={id} onRedelivered={(type) => setMessage(`Delivery of ${type} queued again.`)} />}
    </>
  );
}
