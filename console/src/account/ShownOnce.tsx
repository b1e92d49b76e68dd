import { useEffect, useRef, useState } from "react";

interface ShownOnceProps {
  /** What the value is, e.g. "API key" or "Signing secret". */
  title: string;
  value: string;
  testId: string;
}

/** A secret the server returns once: shown with a copy button and the warning that it will not come back. */
export function ShownOnce({ title, value, testId }: ShownOnceProps) {
  // Which value the answer is about: a new secret in the same box has not been copied yet.
  const [lastCopy, setLastCopy] = useState<{ of: string; result: "yes" | "failed" } | null>(null);
  const copied = lastCopy?.of === value ? lastCopy.result : null;
  // The button that made the secret is disabled while it works, which drops the focus: it comes here,
  // where the one chance to copy the value is, and each new value is announced the same way.
  const box = useRef<HTMLElement>(null);
  useEffect(() => {
    box.current?.focus();
  }, [value]);
  const copy = () => {
    // Refused without a secure context or clipboard permission; the value stays selectable by hand.
    navigator.clipboard.writeText(value).then(
      () => setLastCopy({ of: value, result: "yes" }),
      () => setLastCopy({ of: value, result: "failed" }),
    );
  };
  return (
    <section className="card shown-once" aria-label={title} ref={box} tabIndex={-1}>
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
