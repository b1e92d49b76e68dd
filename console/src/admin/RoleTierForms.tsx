import { useId, useState, type FormEvent } from "react";
import { client, type RouterOutputs } from "../api/client";
import { ErrorNotice } from "../components/ErrorNotice";
import { isRole, isTier, ROLES, TIERS, type Role, type Tier } from "./admin-enums";
import { useUserChange } from "./use-user-change";

type AdminUser = RouterOutputs["admin"]["users"]["get"];

interface Props {
  user: AdminUser;
  onSaved: (message: string) => void;
}

/** Role and tier are saved apart: each is its own procedure and its own audit entry. */
export function RoleTierForms({ user, onSaved }: Props) {
  const ids = { role: useId(), tier: useId() };
  const [role, setRole] = useState<Role>(user.role);
  const [tier, setTier] = useState<Tier>(user.tier);
  const saveRole = useUserChange(
    () => client.admin.users.setRole.mutate({ id: user.id, role }),
    (saved) => onSaved(`Role of ${saved.email} is now ${saved.role}.`),
  );
  const saveTier = useUserChange(
    () => client.admin.users.setTier.mutate({ id: user.id, tier }),
    (saved) => onSaved(`Tier of ${saved.email} is now ${saved.tier}.`),
  );
  const submit = (save: () => void) => (event: FormEvent) => {
    event.preventDefault();
    save();
  };
  return (
    <section className="card" aria-labelledby={`${ids.role}-title`}>
      <h3 id={`${ids.role}-title`}>Permissions and plan</h3>
      <form className="inline-form" onSubmit={submit(() => saveRole.mutate(undefined))}>
        <label htmlFor={ids.role}>Role</label>
        <select id={ids.role} value={role} onChange={(event) => isRole(event.target.value) && setRole(event.target.value)}>
          {ROLES.map((option) => (
            <option key={option}>{option}</option>
          ))}
        </select>
        <button type="submit" disabled={saveRole.isPending || role === user.role}>
          Save role
        </button>
      </form>
      <ErrorNotice error={saveRole.error} />
      <form className="inline-form" onSubmit={submit(() => saveTier.mutate(undefined))}>
        <label htmlFor={ids.tier}>Tier</label>
        <select id={ids.tier} value={tier} onChange={(event) => isTier(event.target.value) && setTier(event.target.value)}>
          {TIERS.map((option) => (
            <option key={option}>{option}</option>
          ))}
        </select>
        <button type="submit" disabled={saveTier.isPending || tier === user.tier}>
          Save tier
        </button>
      </form>
      <ErrorNotice error={saveTier.error} />
    </section>
  );
}
