import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { client } from "../api/client";
import { ErrorNotice } from "../components/ErrorNotice";

export function GrantCreditsForm({ userId, onGranted }: { userId: string; onGranted: (message: string) => void }) {
  const queryClient = useQueryClient();
  const ids = { amount: useId(), reason: useId(), title: useId() };
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const grant = useMutation({
    // admin.users.grantCredits takes no idempotency key; the button is disabled while a grant is in flight instead.
    mutationFn: (variables: { amount: number; reason: string }) =>
      client.admin.users.grantCredits.mutate({
        userId,
        amount: variables.amount,
        ...(variables.reason ? { reason: variables.reason } : {}),
      }),
    onSuccess: (result, variables) => {
      onGranted(`Granted ${variables.amount} credits. The balance is now ${result.balance}.`);
      setAmount("");
      setReason("");
      // The admin may have granted to themself: the header's balance and their ledger.
      void queryClient.invalidateQueries({ queryKey: ["credits.balance"] });
      void queryClient.invalidateQueries({ queryKey: ["credits.ledger"] });
    },
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    // Sent as typed: a number the server refuses (too large, not whole) comes back with its reason.
    grant.mutate({ amount: Number(amount), reason: reason.trim() });
  };
  return (
    <form className="card" onSubmit={onSubmit} aria-labelledby={ids.title}>
      <h3 id={ids.title}>Grant credits</h3>
      <label htmlFor={ids.amount}>Credits to grant</label>
      <input
        id={ids.amount}
        type="number"
        inputMode="numeric"
        min={1}
        step={1}
        required
        value={amount}
        onChange={(event) => setAmount(event.target.value)}
      />
      <label htmlFor={ids.reason}>Reason</label>
      <input id={ids.reason} maxLength={500} value={reason} onChange={(event) => setReason(event.target.value)} />
      <div className="actions">
        <button type="submit" disabled={grant.isPending}>
          Grant credits
        </button>
      </div>
      <ErrorNotice error={grant.error} />
    </form>
  );
}
