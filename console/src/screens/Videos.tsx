import "../videos/videos.css";
import { useInfiniteQuery } from "@tanstack/react-query";
import { client, type RouterInputs } from "../api/client";
import { ErrorNotice } from "../components/ErrorNotice";
import { hrefTo } from "../router";
import { formatDateTime, formatDuration } from "../videos/format";
import { isMoving, MOVING_REFETCH_MS, VideoStatus } from "../videos/VideoStatus";
import { TableScroll } from "../components/TableScroll";
import { useDocumentTitle } from "../components/use-document-title";

const PAGE: RouterInputs["videos"]["list"] = { limit: 20 };

/** The user's videos, newest first; statuses refresh by themselves while any video is uploading or processing. */
export function Videos(_props: { params: string[] }) {
  useDocumentTitle("Videos");
  const videos = useInfiniteQuery({
    queryKey: ["videos.list", PAGE],
    queryFn: ({ pageParam }) => client.videos.list.query(pageParam ? { ...PAGE, cursor: pageParam } : PAGE),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    refetchInterval: (query) =>
      query.state.data?.pages.some((page) => page.items.some((video) => isMoving(video.status))) ? MOVING_REFETCH_MS : false,
  });
  const items = videos.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <h1>Videos</h1>
      <div className="actions page-actions">
        <a className="button" href={hrefTo("upload")}>
          Upload a video
        </a>
        <a className="button secondary" href={hrefTo("generate")}>
          Generate a video
        </a>
      </div>
      <ErrorNotice error={videos.error} onRetry={() => void videos.refetch()} />
      {videos.isPending ? (
        <p>Loading…</p>
      ) : !videos.data ? null : items.length === 0 ? (
        <p className="muted">No videos yet. Upload one, or generate one from a script.</p>
      ) : (
        <TableScroll label="Your videos">
          <table className="video-list">
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Status</th>
                <th scope="col">Duration</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {items.map((video) => (
                <tr key={video.id}>
                  <td>
                    <a href={hrefTo("videos", video.id)}>{video.title}</a>
                  </td>
                  <td>
                    <VideoStatus status={video.status} />
                  </td>
                  <td>{formatDuration(video.durationSeconds)}</td>
                  <td>{formatDateTime(video.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {videos.hasNextPage && (
        <p>
          <button
            type="button"
            className="secondary"
            onClick={() => void videos.fetchNextPage()}
            disabled={videos.isFetchingNextPage}
            aria-busy={videos.isFetchingNextPage}
          >
            Load more
          </button>
        </p>
      )}
    </>
  );
}
