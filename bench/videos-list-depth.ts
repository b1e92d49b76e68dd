/**
 * videos.list p50 at page 1 vs a page 10 000 rows deep, 1 000 000 videos for one owner, over real
 * HTTP against the real API on a scratch PostgreSQL database. Prints a markdown section.
 *
 *   npx tsx bench/videos-list-depth.ts [--keep] [--rows N] [--samples N]
 */
import type { RunningApi } from "../server/src/bootstrap.js";
import { applyMigrations } from "../server/src/database/migrations/migrate.js";
import { startInProcessApi } from "./lib/in-process-api.js";
import { captureListQuery, cursorAtOffset, explainAnalyze, planFacts, seedVideos, type CapturedQuery } from "./lib/list-sql.js";
import { benchCommand, codeBlock, machineFacts, progress, table } from "./lib/markdown.js";
import { createScratchDatabase, serverVersion } from "./lib/scratch-db.js";
import { ms, ratio, summarize, timed } from "./lib/stats.js";
import { registerUser, TrpcHttp } from "./lib/trpc-http.js";

const TARGET_RATIO = 1.2;
const DEPTH = 10_000;
const PAGE_LIMIT = 20;

interface ListPage {
  items: { id: string }[];
  nextCursor: string | null;
}

function numberFlag(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

const options = {
  rows: numberFlag("--rows", 1_000_000),
  samples: numberFlag("--samples", 300),
  warmup: 50,
  keep: process.argv.includes("--keep"),
};

interface Variant {
  name: string;
  url: string;
  samples: number[];
}

/** Walks `DEPTH / 100` pages of 100 through the API, as a client scrolling would, and returns the cursor it ends on. */
async function walkTo(api: TrpcHttp): Promise<string> {
  let cursor: string | undefined;
  for (let page = 0; page < DEPTH / 100; page++) {
    const result: ListPage = await api.query<ListPage>("videos.list", { limit: 100, ...(cursor ? { cursor } : {}) });
    if (!result.nextCursor || result.items.length !== 100) throw new Error(`list ended early at page ${page}`);
    cursor = result.nextCursor;
  }
  if (!cursor) throw new Error("no cursor");
  return cursor;
}

/** Sequential requests, one variant after the other in a rotating order, so drift hits every variant alike. */
async function measure(variants: Variant[], headers: Record<string, string>, rounds: number, record: boolean): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < variants.length; k++) {
      const variant = variants[(round + k) % variants.length];
      if (!variant) continue;
      const elapsed = await timed(async () => {
        const response = await fetch(variant.url, { headers });
        const body = (await response.json()) as { result?: { data?: ListPage } };
        if (!response.ok || body.result?.data?.items.length !== PAGE_LIMIT) throw new Error(`${variant.name}: bad page`);
      });
      if (record) variant.samples.push(elapsed);
    }
  }
}

async function main(): Promise<void> {
  const db = await createScratchDatabase("list");
  let api: RunningApi | undefined;
  try {
    progress(`scratch database ${db.name}`);
    const { applied } = await applyMigrations({ kind: "postgres", url: db.url });
    api = await startInProcessApi({ DATABASE_URL: db.url });
    const client = new TrpcHttp(api.url);
    const session = await registerUser(client, "list");
    progress(`seeding ${options.rows} videos for ${session.user.id}`);
    const seedMs = await timed(() => seedVideos(db.url, session.user.id, options.rows));
    progress(`seeded and analysed in ${(seedMs / 1000).toFixed(1)} s`);

    const computed = await cursorAtOffset(db.url, session.user.id, DEPTH);
    const walked = await walkTo(client);
    if (walked !== computed) throw new Error(`walked cursor ${walked} differs from the computed one ${computed}`);

    const variants: Variant[] = [
      { name: "page 1", url: client.queryUrl("videos.list", { limit: PAGE_LIMIT }), samples: [] },
      {
        name: `page at depth ${DEPTH}`,
        url: client.queryUrl("videos.list", { limit: PAGE_LIMIT, cursor: walked }),
        samples: [],
      },
      { name: 'search "abc", page 1', url: client.queryUrl("videos.list", { limit: PAGE_LIMIT, search: "abc" }), samples: [] },
    ];
    progress(`warm-up ${options.warmup} rounds, then ${options.samples} measured rounds`);
    await measure(variants, client.headers(), options.warmup, false);
    await measure(variants, client.headers(), options.samples, true);

    const queries: [string, CapturedQuery][] = [
      ["page 1", await captureListQuery(db.url, session.user.id, {}, { limit: PAGE_LIMIT })],
      [`depth ${DEPTH}`, await captureListQuery(db.url, session.user.id, {}, { limit: PAGE_LIMIT, cursor: walked })],
      ['search "abc"', await captureListQuery(db.url, session.user.id, { search: "abc" }, { limit: PAGE_LIMIT })],
    ];
    const plans: [string, CapturedQuery, string][] = [];
    for (const [name, query] of queries) plans.push([name, query, await explainAnalyze(db.url, query)]);

    process.stdout.write(
      report({
        seedMs,
        applied,
        variants,
        plans,
        facts: machineFacts({ database: await serverVersion(db.url) }),
      }),
    );
  } finally {
    await api?.close();
    if (options.keep) progress(`kept database ${db.url}`);
    else await db.drop();
  }
}

interface ReportInput {
  seedMs: number;
  applied: string[];
  variants: Variant[];
  plans: [string, CapturedQuery, string][];
  facts: string;
}

function report({ seedMs, applied, variants, plans, facts }: ReportInput): string {
  const [first, deep] = variants.map((variant) => summarize(variant.samples));
  if (!first || !deep) throw new Error("missing samples");
  const p50Ratio = deep.p50 / first.p50;
  const met = p50Ratio <= TARGET_RATIO;
  const rows = variants.map((variant) => {
    const summary = summarize(variant.samples);
    return [variant.name, String(summary.n), ms(summary.p50), ms(summary.p95), ms(summary.mean), ratio(summary.p50, first.p50)];
  });
  const planRows = plans.map(([name, , plan]) => {
    const facts = planFacts(plan);
    return [name, `\`${facts.scan}\``, `\`${facts.indexCond}\``, facts.rowsRemoved, facts.buffers, facts.executionMs];
  });
  const planBlocks = plans.map(
    ([name, query, plan]) =>
      `**${name}**\n\n${codeBlock(query.sql, "sql")}\n\nparameters: \`${JSON.stringify(query.params)}\`\n\n${codeBlock(plan)}`,
  );
  return `## videos.list: page 1 vs a page ${DEPTH.toLocaleString("en")} rows deep

Command: \`${benchCommand("videos-list-depth.ts")}\`

${facts}

Setup: a scratch database migrated with \`applyMigrations\` (${applied.length} migrations), the real API
(\`startApi\`, NODE_ENV=production, LOG_LEVEL=silent) on 127.0.0.1, one registered user owning
${options.rows.toLocaleString("en")} videos seeded with \`INSERT … SELECT … generate_series\` in ${(seedMs / 1000).toFixed(1)} s
(including VACUUM ANALYZE; ~10 % of rows tie on created_at, 1 % soft-deleted). The deep cursor comes from
walking ${DEPTH / 100} pages of 100 through the API and equals the one computed in SQL at offset ${DEPTH}.
Each request is a plain \`fetch\` of \`/trpc/videos.list?input=…\` (limit ${PAGE_LIMIT}) with a Bearer token,
sequential, the variants interleaved in rotating order: ${options.warmup} warm-up rounds, then ${options.samples} measured rounds.
Times are client-side wall time per request in ms.

${table(["variant", "n", "p50", "p95", "mean", "p50 / page-1 p50"], rows)}

**Target:** deep p50 / page-1 p50 ≤ ${TARGET_RATIO}. **Measured: ${p50Ratio.toFixed(2)} — ${met ? "met" : "NOT met"}.**
(p95 ratio ${ratio(deep.p95, first.p95)}.)

### Query plans

The SQL below is what \`PrismaVideoRepository.listByOwner\` sends, captured from Prisma's query log on
a client built like the API's (same generated client and \`@prisma/adapter-pg\`), then run with
\`EXPLAIN (ANALYZE, BUFFERS)\` and the same parameters (third run of each, warm cache). The deep page's
\`created_at <= cursor\` conjunct is redundant with the keyset OR but is what lets the index scan start at the
cursor (an earlier run of this bench, before that conjunct existed, read and filtered every newer row).

${table(["query", "top scan", "index condition", "rows removed", "buffers (top node)", "execution"], planRows)}

<details><summary>Full SQL and plans</summary>

${planBlocks.join("\n\n")}

</details>
`;
}

await main();
