import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { client } from "../api/client";
import { LedgerTable } from "../account/LedgerTable";
import { LoadMore } from "../account/LoadMore";
import { ErrorNotice } from "../components/ErrorNotice";
import { useDocumentTitle } from "../components/use-document-title";

/** The balance and the ledger that explains it, newest entry first. */
export function Credits(_props: { params: string[] }) {
  useDocumentTitle("Credits");
  // Same key as the header's balance, so a grant or a charge refreshes both at once.
  const balance = useQuery({ queryKey: ["credits.balance"], queryFn: () => client.credits.balance.query() });
  const ledger = useInfiniteQuery({
    queryKey: ["credits.ledger"],
    queryFn: ({ pageParam }) => client.credits.ledger.query(pageParam ? { cursor: pageParam } : {}),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const entries = ledger.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <h1>Credits</h1>
      <section className="card" aria-labelledby="credits-balance">
        <h2 id="credits-balance">Balance</h2>
        {balance.data && (
          <p className="big-number" data-testid="credits-balance">
            {balance.data.balance} credits
          </p>
        )}
        {balance.isPending && <p>Loading…</p>}
        <ErrorNotice error={balance.error} onRetry={() => void balance.refetch()} />
      </section>
      <section aria-labelledby="credits-ledger">
        <h2 id="credits-ledger">Ledger</h2>
        {ledger.isPending && <p>Loading…</p>}
        {ledger.data && <LedgerTable entries={entries} />}
        <ErrorNotice error={ledger.error} onRetry={() => void ledger.refetch()} />
        <LoadMore hasMore={ledger.hasNextPage} loading={ledger.isFetchingNextPage} onLoad={() => void ledger.fetchNextPage()} />
      </section>
    </>
  );
}
