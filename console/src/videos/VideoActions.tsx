import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { client } from "../api/client";
import { ErrorNotice } from "../components/ErrorNotice";
import { navigate } from "../router";
import type { Video } from "./browser-upload";

/** The title as the page heading, editable in place. */
export function TitleEditor({ video }: { video: Video }) {
  const queryClient = useQueryClient();
  const inputId = useId();
  const [draft, setDraft] = useState<string | null>(null);
  // Saving or cancelling removes the form and the focus in it: it goes back to "Edit title".
  const editButton = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  useEffect(() => {
    if (draft !== null || !returnFocus.current) return;
    returnFocus.current = false;
    editButton.current?.focus();
  }, [draft]);
  const close = () => {
    returnFocus.current = true;
    setDraft(null);
  };
  const update = useMutation({
    mutationFn: (title: string) => client.videos.update.mutate({ id: video.id, title }),
    onSuccess: (updated) => {
      queryClient.setQueryData(["videos.get", { id: video.id }], updated);
      void queryClient.invalidateQueries({ queryKey: ["videos.list"] });
      close();
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
          <button type="button" className="secondary" ref={editButton} onClick={() => setDraft(video.title)}>
            Edit title
          </button>
        )}
      </div>
      {draft !== null && (
        <form
          className="card"
          onSubmit={onSubmit}
          onKeyDown={(event) => {
            if (event.key === "Escape" && !update.isPending) close();
          }}
        >
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
            <button type="button" className="secondary" onClick={close}>
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
  // The question replaces the button that asked it: focus goes to the safe answer, and back to
  // "Delete video" when it is kept, so it is never left on a control that is gone.
  const deleteButton = useRef<HTMLButtonElement>(null);
  const keepButton = useRef<HTMLButtonElement>(null);
  const answered = useRef(false);
  useEffect(() => {
    if (asked) keepButton.current?.focus();
    else if (answered.current) deleteButton.current?.focus();
  }, [asked]);
  const keep = () => {
    answered.current = true;
    setAsked(false);
  };
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
        <div
          className="actions"
          role="group"
          aria-label="Delete this video?"
          onKeyDown={(event) => {
            if (event.key === "Escape" && !remove.isPending) keep();
          }}
        >
          <span>Delete “{video.title}” for good?</span>
          <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
            Delete permanently
          </button>
          <button type="button" className="secondary" ref={keepButton} onClick={keep} disabled={remove.isPending}>
            Keep it
          </button>
        </div>
      ) : (
        <div className="actions">
          <button type="button" className="danger" ref={deleteButton} onClick={() => setAsked(true)}>
            Delete video
          </button>
        </div>
      )}
      <ErrorNotice error={remove.error} />
    </div>
  );
}
