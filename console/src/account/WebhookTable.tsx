import type { RouterOutputs } from "../api/client";
import { hrefTo } from "../router";
import { formatDateTime } from "./format";
import { TableScroll } from "../components/TableScroll";

type Webhook = RouterOutputs["webhooks"]["list"]["items"][number];

export function WebhookTable({ webhooks }: { webhooks: Webhook[] }) {
  if (webhooks.length === 0) return <p className="muted">No webhooks yet.</p>;
  return (
    <TableScroll label="Webhooks">
      <table>
        <thead>
          <tr>
            <th scope="col">Endpoint</th>
            <th scope="col">Events</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {webhooks.map((webhook) => (
            <tr key={webhook.id}>
              <th scope="row">
                <a href={hrefTo("webhooks", webhook.id)}>{webhook.url}</a>
                {webhook.description && <div className="muted">{webhook.description}</div>}
              </th>
              <td>{webhook.events.join(", ")}</td>
              <td>
                <span className="status">{webhook.status}</span>
              </td>
              <td>{formatDateTime(webhook.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
