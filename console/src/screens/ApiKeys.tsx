import { useQuery } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { client } from "../api/client";
import { ApiKeyTable } from "../account/ApiKeyTable";
import { CreateApiKeyForm } from "../account/CreateApiKeyForm";
import { LiveStatus } from "../account/LiveStatus";
import { ShownOnce } from "../account/ShownOnce";
import { ErrorNotice } from "../components/ErrorNotice";
import { useDocumentTitle } from "../components/use-document-title";

/** Keys for scripts: created with scopes, the full key shown once, revoked when no longer needed. */
export function ApiKeys(_props: { params: string[] }) {
  useDocumentTitle("API keys");
  const keys = useQuery({ queryKey: ["apiKeys.list"], queryFn: () => client.apiKeys.list.query() });
  // Only in this component's state: leaving the page forgets the key, as the server already has.
  const [newKey, setNewKey] = useState<{ id: string; key: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  // A revoked key loses its Revoke button, and the focus with it: the list's heading takes it.
  const listHeading = useRef<HTMLHeadingElement>(null);
  return (
    <>
      <h1>API keys</h1>
      <LiveStatus message={message} />
      {newKey && <ShownOnce title="New API key" value={newKey.key} testId="new-api-key" />}
      <CreateApiKeyForm
        onCreated={(created, name) => {
          setNewKey({ id: created.id, key: created.key });
          setMessage(`Key "${name}" created. Copy it now: it will not be shown again.`);
        }}
      />
      <section aria-labelledby="api-keys-list">
        <h2 id="api-keys-list" ref={listHeading} tabIndex={-1}>
          Your keys
        </h2>
        {keys.isPending && <p>Loading…</p>}
        <ErrorNotice error={keys.error} onRetry={() => void keys.refetch()} />
        {keys.data && (
          <ApiKeyTable
            keys={keys.data}
            onRevoked={(key) => {
              if (newKey?.id === key.id) setNewKey(null);
              setMessage(`Key "${key.name}" revoked.`);
              listHeading.current?.focus();
            }}
          />
        )}
      </section>
    </>
  );
}
