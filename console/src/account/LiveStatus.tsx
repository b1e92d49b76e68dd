/**
 * Success messages for screen readers. The region is always rendered, empty until there is news:
 * a live region that appears together with its text is often not announced.
 */
export function LiveStatus({ message }: { message: string | null }) {
  return (
    <div aria-live="polite" role="status" className="live-status">
      {message && <p className="notice">{message}</p>}
    </div>
  );
}
