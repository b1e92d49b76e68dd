import type { ReactNode } from "react";

/**
 * A wide table scrolls sideways inside its own box instead of widening the page on a phone. The box
 * is a labelled, focusable region so a keyboard user can scroll it with the arrow keys too.
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
