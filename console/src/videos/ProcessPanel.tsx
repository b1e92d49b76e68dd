import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { client } from "../api/client";
import { CostConfirm } from "./CostConfirm";
import type { Video } from "./browser-upload";
import { creditsWord } from "./format";
import { invalidateAfterJob } from "./job-queries";
import type { Job } from "./JobProgress";
import {
  coveredQualities,
  isAllowedFor,
  ladderQuote,
  QUALITIES,
  QUALITY_LABELS,
  transcodeCost,
  type Quality,
  type Tier,
} from "./pricing";

interface Probed {
  durationSeconds: number;
  width: number;
  height: number;
}

function probed(video: Video): Probed | null {
  const { durationSeconds, width, height } = video;
  return video.source && durationSeconds !== null && width !== null && height !== null
    ? { durationSeconds, width, height }
    : null;
}

type Asked = { kind: "process"; quality: Quality; key: string } | { kind: "ladder"; key: string };

/**
 * videos.process (one quality) and videos.processLadder (every rung the source can fill), each
 * behind the cost panel. Prices are computed here the way the server charges (pricing.ts).
 */
export function ProcessPanel({
  video,
  jobs,
  tier,
  balance,
}: {
  video: Video;
  jobs: readonly Job[];
  tier: Tier;
  balance: number | undefined;
}) {
  const queryClient = useQueryClient();
  const selectId = useId();
  const source = probed(video);
  const covered = coveredQualities(jobs);
  const choosable = QUALITIES.filter((quality) => isAllowedFor(quality, tier) && !covered.has(quality));
  const [chosen, setChosen] = useState<Quality | null>(null);
  const quality = chosen && choosable.includes(chosen) ? chosen : (choosable[0] ?? "P360");
  const [asked, setAsked] = useState<Asked | null>(null);

  const start = useMutation({
    mutationFn: async (request: Asked) => {
      if (request.kind === "process") {
        await client.videos.process.mutate({ id: video.id, quality: request.quality, idempotencyKey: request.key });
      } else {
        await client.videos.processLadder.mutate({ id: video.id, idempotencyKey: request.key });
      }
    },
    onSuccess: () => setAsked(null),
    onSettled: () => invalidateAfterJob(queryClient, video.id),
  });

  if (!source) return <p className="muted">Processing needs an uploaded source; this video has none yet.</p>;

  const rungs = ladderQuote(source, tier, covered);
  const ask = (request: { kind: "process"; quality: Quality } | { kind: "ladder" }) => {
    start.reset();
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
          {QUALITIES.map((option) => (
            <option key={option} value={option} disabled={!choosable.includes(option)}>
              {QUALITY_LABELS[option]} · {transcodeCost(source.durationSeconds, option)}{" "}
              {creditsWord(transcodeCost(source.durationSeconds, option))}
              {!isAllowedFor(option, tier) ? " (Premium only)" : covered.has(option) ? " (made or on its way)" : ""}
            </option>
          ))}
        </select>
        <button
          type="button"
          onClick={() => ask({ kind: "process", quality })}
          disabled={asked !== null || choosable.length === 0}
        >
          Process
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => ask({ kind: "ladder" })}
          disabled={asked !== null || rungs.length === 0}
        >
          Order ladder
        </button>
      </div>
      {rungs.length === 0 && <p className="muted">Every rung of the ladder this source can fill is made or on its way.</p>}
      {asked?.kind === "process" && (
        <CostConfirm
          heading={`Process at ${QUALITY_LABELS[asked.quality]}`}
          cost={transcodeCost(source.durationSeconds, asked.quality)}
          balance={balance}
          pending={start.isPending}
          error={start.error}
          onConfirm={() => start.mutate(asked)}
          onCancel={() => setAsked(null)}
        >
          <p className="muted">
            {Math.max(1, Math.ceil(source.durationSeconds / 60))} started minute(s) of source at {QUALITY_LABELS[asked.quality]}.
          </p>
        </CostConfirm>
      )}
      {asked?.kind === "ladder" && (
        <CostConfirm
          heading="Order the ladder"
          cost={rungs.reduce((sum, rung) => sum + rung.cost, 0)}
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
