import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { client, type RouterOutputs } from "../api/client";
import { CreateWebhookForm } from "../account/CreateWebhookForm";
import { LiveStatus } from "../account/LiveStatus";
import { ShownOnce } from "../account/ShownOnce";
import { WebhookDetail } from "../account/WebhookDetail";
import { WebhookTable } from "../account/WebhookTable";
import { ErrorNotice } from "../components/ErrorNotice";
import { hrefTo } from "../router";
import { useDocumentTitle } from "../components/use-document-title";

type CreatedWebhook = RouterOutputs["webhooks"]["create"];

/** `#/webhooks`: the list and the create form; `#/webhooks/<id>`: one endpoint and its deliveries. */
export function Webhooks({ params }: { params: string[] }) {
  const [id] = params;
  useDocumentTitle(id ? "Webhook" : "Webhooks");
  return (
    <>
      <h1>Webhooks</h1>
      {id ? <WebhookDetail key={id} id={id} /> : <WebhookList />}
    </>
  );
}

function WebhookList() {
  const list = useQuery({ queryKey: ["webhooks.list"], queryFn: () => client.webhooks.list.query() });
  // Only in this component's state: the server keeps no copy it would show again.
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  return (
    <>
      <LiveStatus message={created ? `Webhook to ${created.url} created. Copy its signing secret now.` : null} />
      {created && (
        <>
          <ShownOnce title="Signing secret" value={created.secret} testId="webhook-secret" />
          <p>
            <a href={hrefTo("webhooks", created.id)}>Open the new webhook</a> to send a test.
          </p>
        </>
      )}
      <CreateWebhookForm onCreated={setCreated} />
      <section aria-labelledby="webhooks-list">
        <h2 id="webhooks-list">Your webhooks</h2>
        {list.isPending && <p>Loading…</p>}
        <ErrorNotice error={list.error} onRetry={() => void list.refetch()} />
        {list.data && <WebhookTable webhooks={list.data.items} />}
      </section>
    </>
  );
}
