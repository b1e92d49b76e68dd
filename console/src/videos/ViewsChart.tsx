import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { client } from "../api/client";
import { ErrorNotice } from "../components/ErrorNotice";
import { TableScroll } from "../components/TableScroll";

const BAR_WIDTH = 10;
const GAP = 2;
const HEIGHT = 60;

/** Views per UTC day of the last 30 days (videos.analytics), as bars; the same numbers as a table for screen readers and copying. */
export function ViewsChart({ videoId }: { videoId: string }) {
  const titleId = useId();
  const analytics = useQuery({
    queryKey: ["videos.analytics", { id: videoId }],
    queryFn: () => client.videos.analytics.query({ id: videoId }),
  });
  if (analytics.error) return <ErrorNotice error={analytics.error} onRetry={() => void analytics.refetch()} />;
  if (!analytics.data) return <p>Loading…</p>;

  const { days, total, from, to } = analytics.data;
  const most = Math.max(1, ...days.map((day) => day.views));
  const busiest = days.reduce<(typeof days)[number] | null>((best, day) => (day.views > (best?.views ?? 0) ? day : best), null);
  const width = days.length * (BAR_WIDTH + GAP);
  const summary = `${total} ${total === 1 ? "view" : "views"} from ${from} to ${to}${busiest ? `; most on ${busiest.day} (${busiest.views})` : ""}.`;

  return (
    <div className="views-chart stack">
      <p data-testid="views-summary">{summary}</p>
      <svg
        role="img"
        aria-labelledby={titleId}
        viewBox={`0 0 ${width} ${HEIGHT}`}
        width={width}
        height={HEIGHT}
        preserveAspectRatio="none"
        className="views-bars"
      >
        <title id={titleId}>{`Views per day: ${summary}`}</title>
        {days.map((day, index) => {
          const barHeight = day.views === 0 ? 1 : Math.max(2, (day.views / most) * HEIGHT);
          return (
            <rect
              key={day.day}
              x={index * (BAR_WIDTH + GAP)}
              y={HEIGHT - barHeight}
              width={BAR_WIDTH}
              height={barHeight}
              className={day.views === 0 ? "bar-empty" : "bar"}
            >
              <title>{`${day.day}: ${day.views}`}</title>
            </rect>
          );
        })}
      </svg>
      <details>
        <summary>Views per day as a table</summary>
        <TableScroll label="Views per day">
          <table>
            <thead>
              <tr>
                <th scope="col">Day (UTC)</th>
                <th scope="col">Views</th>
              </tr>
            </thead>
            <tbody>
              {days.map((day) => (
                <tr key={day.day}>
                  <td>{day.day}</td>
                  <td>{day.views}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </details>
    </div>
  );
}
