import { useState } from "react";

interface ShownOnceProps {
  /** What the value is, e.g. "API key" or "Signing secret". */
  title: string;
  value: string;
  testId: string;
}

/** A secret the server returns once: shown with a copy button and the warning that it will not come back. */
export function ShownOnce({ title, value, testId }: ShownOnceProps) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const copy = () => {
    // Refused without a secure context or clipboard permission; the value stays selectable by hand.
    navigator.clipboard.writeText(value).then(
      () => setCopied("yes"),
      () => setCopied("failed"),
    );
  };
  return (
    <section className="card shown-once" aria-label={title}>
      <p>
        <strong>{title}:</strong> <code data-testid={testId}>{value}</code>
      </p>
      <div className="actions">
        <button type="button" className="secondary" onClick={copy}>
          Copy
        </button>
        <span aria-live="polite">
          {copied === "yes" ? "Copied." : copied === "failed" ? "Could not copy: select the text and copy it." : ""}
        </span>
      </div>
      <p className="muted">Store it now: it will not be shown again.</p>
    </section>
  );
}
