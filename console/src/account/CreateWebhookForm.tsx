import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { client, type RouterOutputs } from "../api/client";
import { ErrorNotice } from "../components/ErrorNotice";
import { CheckboxGroup } from "./CheckboxGroup";
import { eventDescription, WEBHOOK_EVENT_TYPES, type WebhookEventType } from "./webhook-events";

type CreatedWebhook = RouterOutputs["webhooks"]["create"];

export function CreateWebhookForm({ onCreated }: { onCreated: (webhook: CreatedWebhook) => void }) {
  const queryClient = useQueryClient();
  const ids = { url: useId(), description: useId(), title: useId() };
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [events, setEvents] = useState<WebhookEventType[]>([]);
  const create = useMutation({
    mutationFn: () => client.webhooks.create.mutate({ url: url.trim(), events, ...(description.trim() ? { description } : {}) }),
    onSuccess: (created) => {
      onCreated(created);
      setUrl("");
      setDescription("");
      setEvents([]);
      void queryClient.invalidateQueries({ queryKey: ["webhooks.list"] });
    },
  });
  const [missing, setMissing] = useState(false);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    // Checked here because the server's answer would only say "Invalid input".
    setMissing(events.length === 0);
    if (events.length > 0) create.mutate();
  };
  return (
    <form className="card" onSubmit={onSubmit} aria-labelledby={ids.title}>
      <h2 id={ids.title}>Create a webhook</h2>
      <label htmlFor={ids.url}>Endpoint URL</label>
      <input
        id={ids.url}
        type="url"
        required
        maxLength={2048}
        placeholder="https://"
        value={url}
        onChange={(event) => setUrl(event.target.value)}
      />
      <label htmlFor={ids.description}>Description (optional)</label>
      <input id={ids.description} value={description} onChange={(event) => setDescription(event.target.value)} />
      <CheckboxGroup
        legend="Events"
        options={WEBHOOK_EVENT_TYPES}
        selected={events}
        onChange={setEvents}
        describe={eventDescription}
      />
      <div className="actions">
        <button type="submit" disabled={create.isPending}>
          Create webhook
        </button>
      </div>
      {missing && events.length === 0 && (
        <p role="alert" className="error-notice">
          Choose at least one event.
        </p>
      )}
      <ErrorNotice error={create.error} />
    </form>
  );
}
