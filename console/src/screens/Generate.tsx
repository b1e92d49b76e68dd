import "../videos/videos.css";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState, type FormEvent } from "react";
import { client, type RouterInputs } from "../api/client";
import { ErrorNotice } from "../components/ErrorNotice";
import { navigate } from "../router";
import { useBalance, usePrices } from "../videos/balance";
import { CostSummary, isAffordable } from "../videos/CostConfirm";
import { QUALITIES, QUALITY_LABELS, type Quality } from "../videos/pricing";
import { useDocumentTitle } from "../components/use-document-title";

type GenerateInput = RouterInputs["videos"]["generate"];
type Voice = NonNullable<GenerateInput["voice"]>;

/** The voices videos.generate accepts (espeak-ng names), with the names people know them by. */
const VOICES: [Voice, string][] = [
  ["en-us", "English (US)"],
  ["en-gb", "English (UK)"],
  ["de", "German"],
  ["fr", "French"],
  ["es", "Spanish"],
  ["it", "Italian"],
];

const SCRIPT_MAX_LENGTH = 5000;

/** A video made from a script: spoken by the voice, rendered at the quality, for a flat price. */
export function Generate(_props: { params: string[] }) {
  useDocumentTitle("Generate a video");
  const queryClient = useQueryClient();
  const ids = { title: useId(), script: useId(), quality: useId(), voice: useId(), scriptCount: useId() };
  const prices = usePrices();
  const balance = useBalance();
  const [title, setTitle] = useState("");
  const [script, setScript] = useState("");
  const [chosenQuality, setQuality] = useState<Quality | null>(null);
  const [voice, setVoice] = useState<Voice>("en-us");
  // One key per request the user means: a retry after a lost answer is the same job, charged once.
  const idempotencyKey = useRef<string | null>(null);
  const allowed: readonly Quality[] = prices.data?.allowedQualities ?? ["P360"];
  const quality = chosenQuality ?? allowed[allowed.length - 1] ?? "P360";
  const cost = prices.data?.generation;

  const generate = useMutation({
    mutationFn: (input: GenerateInput) => client.videos.generate.mutate(input),
    onSuccess: ({ video, job }) => {
      idempotencyKey.current = null;
      queryClient.setQueryData(["videos.get", { id: video.id }], video);
      void queryClient.invalidateQueries({ queryKey: ["videos.list"] });
      void queryClient.invalidateQueries({ queryKey: ["jobs.list", { videoId: job.videoId }] });
      navigate("videos", video.id);
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ["credits.balance"] }),
  });

  function changed<T>(set: (value: T) => void): (value: T) => void {
    return (value) => {
      idempotencyKey.current = null;
      set(value);
    };
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    idempotencyKey.current ??= crypto.randomUUID();
    generate.mutate({ title: title.trim(), script: script.trim(), quality, voice, idempotencyKey: idempotencyKey.current });
  }

  const affordable = cost !== undefined && isAffordable(cost, balance.data?.balance);
  return (
    <>
      <h1>Generate a video</h1>
      <form className="card" onSubmit={onSubmit}>
        <label htmlFor={ids.title}>Title</label>
        <input
          id={ids.title}
          value={title}
          onChange={(event) => changed(setTitle)(event.target.value)}
          required
          maxLength={200}
        />

        <label htmlFor={ids.script}>Script</label>
        <textarea
          id={ids.script}
          value={script}
          onChange={(event) => changed(setScript)(event.target.value)}
          required
          rows={8}
          maxLength={SCRIPT_MAX_LENGTH}
          aria-describedby={ids.scriptCount}
        />
        <p id={ids.scriptCount} className="muted">
          {script.length} of {SCRIPT_MAX_LENGTH} characters; each sentence becomes a spoken slide.
        </p>

        <label htmlFor={ids.quality}>Quality</label>
        <select id={ids.quality} value={quality} onChange={(event) => changed(setQuality)(event.target.value as Quality)}>
          {QUALITIES.map((option) => (
            <option key={option} value={option} disabled={!allowed.includes(option)}>
              {QUALITY_LABELS[option]}
              {allowed.includes(option) ? "" : " (Premium only)"}
            </option>
          ))}
        </select>

        <label htmlFor={ids.voice}>Voice</label>
        <select id={ids.voice} value={voice} onChange={(event) => changed(setVoice)(event.target.value as Voice)}>
          {VOICES.map(([value, name]) => (
            <option key={value} value={value}>
              {name}
            </option>
          ))}
        </select>

        {cost !== undefined ? (
          <CostSummary cost={cost} balance={balance.data?.balance} />
        ) : (
          // Generate stays disabled until the price is known; say why.
          !prices.error && <p>Loading the price…</p>
        )}
        <p className="muted">A generated video costs the same whatever its length or quality.</p>
        <ErrorNotice
          error={balance.error ?? prices.error}
          onRetry={() => {
            if (balance.error) void balance.refetch();
            if (prices.error) void prices.refetch();
          }}
        />
        <ErrorNotice error={generate.error} />
        <div className="actions">
          <button type="submit" disabled={generate.isPending || !affordable} aria-busy={generate.isPending}>
            Generate
          </button>
        </div>
      </form>
    </>
  );
}
