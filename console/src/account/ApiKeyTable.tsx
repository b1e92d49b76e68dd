import { useMutation, useQueryClient } from "@tanstack/react-query";
import { client, type RouterOutputs } from "../api/client";
import { ErrorNotice } from "../components/ErrorNotice";
import { formatDateTime } from "./format";
import { TableScroll } from "../components/TableScroll";

type ApiKey = RouterOutputs["apiKeys"]["list"][number];

export function ApiKeyTable({ keys, onRevoked }: { keys: ApiKey[]; onRevoked: (key: ApiKey) => void }) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: (id: string) => client.apiKeys.revoke.mutate({ id }),
    onSuccess: (revoked) => {
      onRevoked(revoked);
      void queryClient.invalidateQueries({ queryKey: ["apiKeys.list"] });
    },
  });
  if (keys.length === 0) return <p className="muted">No API keys yet.</p>;
  return (
    <>
      <ErrorNotice error={revoke.error} />
      <TableScroll label="API keys">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Scopes</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Revoked</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id}>
                <th scope="row" id={`api-key-${key.id}`}>
                  {key.name}
                </th>
                <td>
                  <code>{key.prefix}</code>
                </td>
                <td>{key.scopes.join(", ")}</td>
                <td>{formatDateTime(key.createdAt)}</td>
                <td>{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : "Never"}</td>
                <td>{key.revokedAt ? formatDateTime(key.revokedAt) : "No"}</td>
                <td>
                  {!key.revokedAt && (
                    <button
                      type="button"
                      className="danger"
                      // Every row's button is "Revoke"; the description says which key a screen reader is on.
                      aria-describedby={`api-key-${key.id}`}
                      disabled={revoke.isPending}
                      onClick={() => {
                        if (window.confirm(`Revoke the key "${key.name}"? Programs using it will be refused at once.`)) {
                          revoke.mutate(key.id);
                        }
                      }}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}
