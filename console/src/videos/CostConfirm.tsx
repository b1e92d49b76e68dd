import { useEffect, useId, useRef, type ReactNode } from "react";
import { ErrorNotice } from "../components/ErrorNotice";
import { hrefTo } from "../router";
import { creditsWord } from "./format";

/** The price and the balance side by side, and whether the one covers the other. */
export function CostSummary({ cost, balance }: { cost: number; balance: number | undefined }) {
  const affordable = balance === undefined || balance >= cost;
  return (
    <div className="cost-summary">
      <p>
        Cost: <strong data-testid="cost">{cost}</strong> {creditsWord(cost)}
      </p>
      <p>
        Your balance: <strong data-testid="balance-before">{balance ?? "…"}</strong> {creditsWord(balance)}
      </p>
      {balance !== undefined && (
        <p data-testid="affordability" className={affordable ? "affordable" : "not-affordable"}>
          {affordable ? (
            `You can afford this: ${balance - cost} ${creditsWord(balance - cost)} left after it.`
          ) : (
            <>
              Not enough credits: {cost - balance} more needed. <a href={hrefTo("credits")}>Credits</a>
            </>
          )}
        </p>
      )}
    </div>
  );
}

export function isAffordable(cost: number, balance: number | undefined): boolean {
  return balance !== undefined && balance >= cost;
}

interface CostConfirmProps {
  heading: string;
  cost: number;
  balance: number | undefined;
  pending: boolean;
  error: unknown;
  onConfirm(): void;
  onCancel(): void;
  children?: ReactNode;
}

/**
 * Nothing that charges starts without this panel: the cost and the balance first, then Confirm.
 * Focus moves into it so a keyboard user lands on the choice they just asked for; Escape is Cancel,
 * as in a dialog, except while the charge is on its way.
 */
export function CostConfirm({ heading, cost, balance, pending, error, onConfirm, onCancel, children }: CostConfirmProps) {
  const headingId = useId();
  const panel = useRef<HTMLElement>(null);
  useEffect(() => panel.current?.focus(), []);
  return (
    <section
      className="card stack cost-confirm"
      aria-labelledby={headingId}
      ref={panel}
      tabIndex={-1}
      onKeyDown={(event) => {
        if (event.key === "Escape" && !pending) {
          event.preventDefault();
          onCancel();
        }
      }}
    >
      <h3 id={headingId}>{heading}</h3>
      {children}
      <CostSummary cost={cost} balance={balance} />
      <ErrorNotice error={error} />
      <div className="actions">
        <button type="button" onClick={onConfirm} disabled={pending || !isAffordable(cost, balance)} aria-busy={pending}>
          Confirm
        </button>
        <button type="button" className="secondary" onClick={onCancel} disabled={pending}>
          Cancel
        </button>
      </div>
    </section>
  );
}
