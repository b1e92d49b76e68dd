import type { RouterOutputs } from "../api/client";
import { formatDateTime } from "./format";
import { entryPurpose, kindLabel, signedAmount } from "./ledger-entry";
import { TableScroll } from "../components/TableScroll";

type LedgerEntry = RouterOutputs["credits"]["ledger"]["items"][number];

export function LedgerTable({ entries }: { entries: LedgerEntry[] }) {
  if (entries.length === 0) return <p className="muted">No ledger entries yet.</p>;
  return (
    <TableScroll label="Credit ledger">
      <table>
        <caption className="visually-hidden">Credit ledger, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Kind</th>
            <th scope="col" className="number">
              Amount
            </th>
            <th scope="col" className="number">
              Balance after
            </th>
            <th scope="col">For</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id}>
              <td>{formatDateTime(entry.createdAt)}</td>
              <td>{kindLabel(entry.kind)}</td>
              <td className={`number ${entry.amount < 0 ? "negative" : "positive"}`}>{signedAmount(entry.amount)}</td>
              <td className="number">{entry.balanceAfter}</td>
              <td>{entryPurpose(entry)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
