import { useEffect, useRef, useState, type ReactNode } from "react";

/**
 * A wide table scrolls sideways inside its own box instead of widening the page on a phone. While it
 * does overflow, the box is a labelled Tab stop so a keyboard user can scroll it with the arrow keys;
 * a table that fits adds no extra stop.
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  const box = useRef<HTMLDivElement>(null);
  const [overflows, setOverflows] = useState(false);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const measure = () => setOverflows(element.scrollWidth > element.clientWidth);
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    // The table inside grows with its rows while the box keeps its width.
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    return () => observer.disconnect();
  }, []);
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={overflows ? 0 : undefined} ref={box}>
      {children}
    </div>
  );
}
