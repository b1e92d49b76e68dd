import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { client } from "../api/client";
import { LiveStatus } from "../account/LiveStatus";
import { ErrorNotice } from "../components/ErrorNotice";
import { CostConfirm } from "./CostConfirm";
import type { Video } from "./browser-upload";
import { creditsWord } from "./format";
import { invalidateAfterJob } from "./job-queries";
import { QUALITIES, QUALITY_LABELS, type Quality } from "./pricing";

type Asked = { kind: "process"; quality: Quality; key: string } | { kind: "ladder"; key: string };

/**
 * videos.process (one quality) and videos.processLadder (every rung the source can fill), each
 * behind the cost panel. The prices, the ladder's rungs and what is already covered come from
 * videos.quote: the server's own rules, so the panel shows what the charge will take.
 */
export function ProcessPanel({ video, balance }: { video: Video; balance: number | undefined }) {
  const queryClient = useQueryClient();
  const selectId = useId();
  const hasSource = video.source !== null && video.durationSeconds !== null;
  const quote = useQuery({
    queryKey: ["videos.quote", { id: video.id }],
    queryFn: () => client.videos.quote.query({ id: video.id }),
    enabled: hasSource,
  });
  const [chosen, setChosen] = useState<Quality | null>(null);
  const [asked, setAsked] = useState<Asked | null>(null);
  const [started, setStarted] = useState<string | null>(null);
  // The panel's buttons are disabled while it is open, and a closed panel takes the focus with it:
  // it goes back to the button that opened the panel once that is enabled again.
  const processButton = useRef<HTMLButtonElement>(null);
  const ladderButton = useRef<HTMLButtonElement>(null);
  const returnFocusTo = useRef<HTMLButtonElement | null>(null);
  useEffect(() => {
    if (asked !== null || !returnFocusTo.current) return;
    returnFocusTo.current.focus();
    returnFocusTo.current = null;
  }, [asked]);

  const start = useMutation({
    mutationFn: async (request: Asked) => {
      if (request.kind === "process") {
        await client.videos.process.mutate({ id: video.id, quality: request.quality, idempotencyKey: request.key });
      } else {
        await client.videos.processLadder.mutate({ id: video.id, idempotencyKey: request.key });
      }
    },
    onSuccess: (_result, request) => {
      setStarted(
        request.kind === "process"
          ? `Processing at ${QUALITY_LABELS[request.quality]} started: its progress is under Jobs.`
          : "The ladder is ordered: each rung's progress is under Jobs.",
      );
      setAsked(null);
    },
    onSettled: () => invalidateAfterJob(queryClient, video.id),
  });

  if (!hasSource) return <p className="muted">Processing needs an uploaded source; this video has none yet.</p>;
  if (!quote.data)
    return quote.error ? <ErrorNotice error={quote.error} onRetry={() => void quote.refetch()} /> : <p>Loading prices…</p>;

  const priced = quote.data.qualities;
  const costOf = (quality: Quality): number => priced.find((option) => option.quality === quality)?.cost ?? 0;
  const choosable = priced.filter((option) => option.allowedForTier && option.covered === null).map((option) => option.quality);
  const quality = chosen && choosable.includes(chosen) ? chosen : (choosable[0] ?? "P360");
  const rungs = priced.filter((option) => option.inLadder);
  const minutes = Math.max(1, Math.ceil(quote.data.durationSeconds / 60));
  const ask = (request: { kind: "process"; quality: Quality } | { kind: "ladder" }) => {
    start.reset();
    setStarted(null);
    returnFocusTo.current = request.kind === "process" ? processButton.current : ladderButton.current;
    // One key per confirm panel: a Confirm repeated after a lost answer starts the job once.
    setAsked({ ...request, key: crypto.randomUUID() });
  };

  return (
    <div className="stack">
      <div className="actions">
        <label htmlFor={selectId}>Resolution</label>
        <select
          id={selectId}
          value={quality}
          onChange={(event) => setChosen(event.target.value as Quality)}
          disabled={asked !== null}
        >
          {priced.map((option) => (
            <option key={option.quality} value={option.quality} disabled={!choosable.includes(option.quality)}>
              {QUALITY_LABELS[option.quality]} · {option.cost} {creditsWord(option.cost)}
              {!option.allowedForTier ? " (Premium only)" : option.covered ? " (made or on its way)" : ""}
            </option>
          ))}
        </select>
        <button
          type="button"
          ref={processButton}
          onClick={() => ask({ kind: "process", quality })}
          disabled={asked !== null || choosable.length === 0}
        >
          Process
        </button>
        <button
          type="button"
          className="secondary"
          ref={ladderButton}
          onClick={() => ask({ kind: "ladder" })}
          disabled={asked !== null || rungs.length === 0}
        >
          Order ladder
        </button>
      </div>
      <LiveStatus message={started} />
      {rungs.length === 0 && <p className="muted">Every rung of the ladder this source can fill is made or on its way.</p>}
      {asked?.kind === "process" && (
        <CostConfirm
          heading={`Process at ${QUALITY_LABELS[asked.quality]}`}
          cost={costOf(asked.quality)}
          balance={balance}
          pending={start.isPending}
          error={start.error}
          onConfirm={() => start.mutate(asked)}
          onCancel={() => setAsked(null)}
        >
          <p className="muted">
            {minutes} started minute(s) of source at {QUALITY_LABELS[asked.quality]}.
          </p>
        </CostConfirm>
      )}
      {asked?.kind === "ladder" && (
        <CostConfirm
          heading="Order the ladder"
          cost={quote.data.ladder.cost}
          balance={balance}
          pending={start.isPending}
          error={start.error}
          onConfirm={() => start.mutate(asked)}
          onCancel={() => setAsked(null)}
        >
          <ul data-testid="ladder-rungs">
            {rungs.map((rung) => (
              <li key={rung.quality}>
                {QUALITY_LABELS[rung.quality]}: {rung.cost} {creditsWord(rung.cost)}
              </li>
            ))}
          </ul>
          {rungs.length < QUALITIES.length && (
            <p className="muted">Rungs already made, on their way, above your tier or above the source's size are skipped.</p>
          )}
        </CostConfirm>
      )}
    </div>
  );
}
