import { PrismaPg } from "@prisma/adapter-pg";
import { Database } from "../../server/src/database/database.js";
import { PrismaClient } from "../../server/src/generated/prisma/client.js";
import { PrismaVideoRepository } from "../../server/src/modules/videos/infra/prisma-video.repository.js";
import { encodeCursor } from "../../server/src/shared/application/pagination.js";
import { withClient } from "./scratch-db.js";
import { PrismaEventOutbox } from "../../server/src/outbox/prisma-event-outbox.js";

const TOPICS = ["sunset", "city", "mountain", "ocean", "forest", "desert", "river", "night"];
const MORE_TOPICS = ["street", "market", "garden", "winter", "summer", "harbor", "island", "canyon"];
const KINDS = ["walk", "timelapse", "drone", "vlog", "review", "tutorial", "highlights", "session", "trip", "diary"];
const sqlArray = (words: string[]) => `ARRAY[${words.map((word) => `'${word}'`).join(",")}]`;

/**
 * `rows` videos for one owner in one INSERT … SELECT. created_at steps one second per row but
 * floor(i * 0.9) makes about one row in ten share its timestamp with a neighbour (ties the id
 * must break); titles are "<Topic> <kind> <8 hex chars of md5>" so trigrams are varied; one row
 * in a hundred is soft-deleted. Then VACUUM ANALYZE, the state autovacuum would reach.
 */
export async function seedVideos(url: string, ownerId: string, rows: number): Promise<void> {
  await withClient(url, async (client) => {
    await client.query("SET maintenance_work_mem = '512MB'");
    await client.query(
      `INSERT INTO videos (id, owner_id, title, description, status, created_at, updated_at, deleted_at)
       SELECT gen_random_uuid(), $1::uuid,
              initcap((${sqlArray([...TOPICS, ...MORE_TOPICS])})[1 + abs(hashint4(i)) % 16])
                || ' ' || (${sqlArray(KINDS)})[1 + abs(hashint4(i + 7)) % 10]
                || ' ' || substr(md5(i::text), 1, 8),
              '', 'DRAFT', ts, ts, CASE WHEN i % 100 = 0 THEN ts + interval '1 day' END
       FROM (SELECT i, timestamptz '2026-11-01 00:00:00+00' - floor(i * 0.9) * interval '1 second' AS ts
             FROM generate_series(1, $2::int) AS i) AS s`,
      [ownerId, rows],
    );
    await client.query("VACUUM (ANALYZE) videos");
  });
}

/** The cursor a client holds after reading `offset` rows: the position of the row at offset - 1. */
export async function cursorAtOffset(url: string, ownerId: string, offset: number): Promise<string> {
  const { rows } = await withClient(url, (client) =>
    client.query<{ created_at: Date; id: string }>(
      `SELECT created_at, id FROM videos WHERE owner_id = $1 AND deleted_at IS NULL
       ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1`,
      [ownerId, offset - 1],
    ),
  );
  const row = rows[0];
  if (!row) throw new Error(`fewer than ${offset} videos`);
  return encodeCursor({ createdAt: row.created_at, id: row.id });
}

export interface CapturedQuery {
  sql: string;
  params: unknown[];
}

/**
 * The SQL the product sends for a videos.list page: the real PrismaVideoRepository.listByOwner on
 * its own PrismaClient with query events on. The statement Prisma logs is the one the API's client
 * sends for the same call (same generated client, same adapter).
 */
export async function captureListQuery(
  url: string,
  ownerId: string,
  filter: { search?: string },
  page: { cursor?: string; limit: number },
): Promise<CapturedQuery> {
  const adapter = new PrismaPg({ connectionString: url, max: 1 });
  const prisma = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  const captured: CapturedQuery[] = [];
  prisma.$on("query", (event) => {
    captured.push({ sql: event.query, params: JSON.parse(event.params) as unknown[] });
  });
  const database = new Database(prisma, "postgres", async () => {});
  try {
    await new PrismaVideoRepository(database, new PrismaEventOutbox(database)).listByOwner(ownerId, filter, page);
  } finally {
    await database.close();
  }
  const query = captured.find((entry) => /FROM "public"\."videos"/i.test(entry.sql));
  if (!query) throw new Error(`no videos query captured: ${JSON.stringify(captured)}`);
  return query;
}

/** EXPLAIN (ANALYZE, BUFFERS) of a statement with its parameters; run `repeat` times, the last plan kept (warm). */
export async function explainAnalyze(url: string, query: CapturedQuery, repeat = 3): Promise<string> {
  return withClient(url, async (client) => {
    let plan = "";
    for (let attempt = 0; attempt < repeat; attempt++) {
      const { rows } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${query.sql}`, query.params);
      plan = rows.map((row) => row["QUERY PLAN"]).join("\n");
    }
    return plan;
  });
}

export interface PlanFacts {
  scan: string;
  indexCond: string;
  rowsRemoved: string;
  buffers: string;
  executionMs: string;
}

/** The lines of a plan that say whether it is index-driven and how much it read. */
export function planFacts(plan: string): PlanFacts {
  const lines = plan.split("\n").map((line) => line.trim());
  const find = (pattern: RegExp) => lines.find((line) => pattern.test(line));
  const scanLine = find(/(Index Only Scan|Index Scan|Bitmap Heap Scan|Bitmap Index Scan|Seq Scan)/) ?? "?";
  const scan = scanLine.replace(/^->\s*/, "").replace(/\s+\(cost=.*$/, "");
  const removed = lines.filter((line) => line.startsWith("Rows Removed by"));
  return {
    scan,
    indexCond: (find(/^(Index Cond|Recheck Cond):/) ?? "none").replace(/^(Index Cond|Recheck Cond):\s*/, ""),
    rowsRemoved: removed.length > 0 ? removed.join("; ") : "0",
    buffers: (find(/^Buffers:/) ?? "?").replace(/^Buffers:\s*/, ""),
    executionMs: (find(/^Execution Time:/) ?? "?").replace(/^Execution Time:\s*/, ""),
  };
}
