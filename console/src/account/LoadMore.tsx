interface LoadMoreProps {
  hasMore: boolean;
  loading: boolean;
  onLoad: () => void;
}

/** The next page of a cursor-paged list, appended below the rows already shown. */
export function LoadMore({ hasMore, loading, onLoad }: LoadMoreProps) {
  if (!hasMore) return null;
  return (
    <p>
      <button type="button" className="secondary" onClick={onLoad} disabled={loading}>
        {loading ? "Loading…" : "Load more"}
      </button>
    </p>
  );
}
