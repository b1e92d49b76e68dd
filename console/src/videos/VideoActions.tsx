import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { client } from "../api/client";
import { ErrorNotice } from "../components/ErrorNotice";
import { navigate } from "../router";
import type { Video } from "./browser-upload";

/** The title as the page heading, editable in place. */
export function TitleEditor({ video }: { video: Video }) {
  const queryClient = useQueryClient();
  const inputId = useId();
  const [draft, setDraft] = useState<string | null>(null);
  const update = useMutation({
    mutationFn: (title: string) => client.videos.update.mutate({ id: video.id, title }),
    onSuccess: (updated) => {
      queryClient.setQueryData(["videos.get", { id: video.id }], updated);
      void queryClient.invalidateQueries({ queryKey: ["videos.list"] });
      setDraft(null);
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (draft !== null) update.mutate(draft.trim());
  }

  return (
    <>
      <div className="title-row">
        <h1>{video.title}</h1>
        {draft === null && (
          <button type="button" className="secondary" onClick={() => setDraft(video.title)}>
            Edit title
          </button>
        )}
      </div>
      {draft !== null && (
        <form className="card" onSubmit={onSubmit}>
          <label htmlFor={inputId}>New title</label>
          <input
            id={inputId}
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            required
            maxLength={200}
            autoFocus
          />
          <div className="actions">
            <button type="submit" disabled={update.isPending}>
              Save title
            </button>
            <button type="button" className="secondary" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </div>
          <ErrorNotice error={update.error} />
        </form>
      )}
    </>
  );
}

/** Deleting asks twice: the video goes with its source and renditions, and there is no undo. */
export function DeleteVideo({ video }: { video: Video }) {
  const queryClient = useQueryClient();
  const [asked, setAsked] = useState(false);
  const remove = useMutation({
    mutationFn: () => client.videos.delete.mutate({ id: video.id }),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: ["videos.get", { id: video.id }] });
      void queryClient.invalidateQueries({ queryKey: ["videos.list"] });
      navigate("videos");
    },
  });
  return (
    <div className="stack">
      {asked ? (
        <div className="actions" role="group" aria-label="Delete this video?">
          <span>Delete “{video.title}” for good?</span>
          <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
            Delete permanently
          </button>
          <button type="button" className="secondary" onClick={() => setAsked(false)}>
            Keep it
          </button>
        </div>
      ) : (
        <div className="actions">
          <button type="button" className="danger" onClick={() => setAsked(true)}>
            Delete video
          </button>
        </div>
      )}
      <ErrorNotice error={remove.error} />
    </div>
  );
}
