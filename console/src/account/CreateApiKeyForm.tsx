import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { client, type RouterOutputs } from "../api/client";
import { ErrorNotice } from "../components/ErrorNotice";
import { API_KEY_SCOPES, scopeDescription, type ApiKeyScope } from "./api-key-scopes";
import { CheckboxGroup } from "./CheckboxGroup";

type CreatedKey = RouterOutputs["apiKeys"]["create"];

export function CreateApiKeyForm({ onCreated }: { onCreated: (key: CreatedKey, name: string) => void }) {
  const queryClient = useQueryClient();
  const nameId = useId();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ApiKeyScope[]>([]);
  const create = useMutation({
    mutationFn: () => client.apiKeys.create.mutate({ name, scopes }),
    onSuccess: (created) => {
      onCreated(created, name);
      setName("");
      setScopes([]);
      void queryClient.invalidateQueries({ queryKey: ["apiKeys.list"] });
    },
  });
  const [missing, setMissing] = useState(false);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    // Checked here because the server's answer would only say "Invalid input".
    setMissing(scopes.length === 0);
    if (scopes.length > 0) create.mutate();
  };
  return (
    <form className="card" onSubmit={onSubmit} aria-labelledby={`${nameId}-title`}>
      <h2 id={`${nameId}-title`}>Create a key</h2>
      <label htmlFor={nameId}>Name</label>
      <input id={nameId} required maxLength={100} value={name} onChange={(event) => setName(event.target.value)} />
      <CheckboxGroup
        legend="Scopes"
        options={API_KEY_SCOPES}
        selected={scopes}
        onChange={setScopes}
        describe={scopeDescription}
      />
      <div className="actions">
        <button type="submit" disabled={create.isPending}>
          Create key
        </button>
      </div>
      {missing && scopes.length === 0 && (
        <p role="alert" className="error-notice">
          Choose at least one scope.
        </p>
      )}
      <ErrorNotice error={create.error} />
    </form>
  );
}
