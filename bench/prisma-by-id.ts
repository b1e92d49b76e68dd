/**
 * What one by-id read costs through each way Prisma offers it, next to `pg` itself: the query a
 * `videos.get` miss makes. One process pinned to core 0, reads one at a time and from 16 concurrent
 * loops (Prisma batches the findUnique calls made in the same tick), interleaved rounds, CPU time per
 * read from process.cpuUsage().
 *
 *   npm run bench -- prisma-by-id [--rounds N]
 */
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../server/src/generated/prisma/client.js";
import { applyMigrations } from "../server/src/database/migrations/migrate.js";
import { seedVideos } from "./lib/list-sql.js";
import { benchCommand, machineFacts, progress, table } from "./lib/markdown.js";
import { pin } from "./lib/pinned-processes.js";
import { createScratchDatabase, serverVersion } from "./lib/scratch-db.js";

const roundsFlag = process.argv.indexOf("--rounds");
const ROUNDS = roundsFlag >= 0 ? Number(process.argv[roundsFlag + 1]) : 5;
const QUERIES = 6_000;
const CONCURRENCIES = [1, 16] as const;
const OWNER = "00000000-0000-4000-8000-000000000001";

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  const facts = machineFacts(); // before pinning, or nproc reports the one core left
  await pin(process.pid, "0");
  const db = await createScratchDatabase("prisma_by_id");
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url, max: 10 }) });
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  try {
    await applyMigrations({ kind: "postgres", url: db.url });
    await pool.query("INSERT INTO users (id, email, password_hash, updated_at) VALUES ($1, 'bench@example.com', 'x', now())", [
      OWNER,
    ]);
    await seedVideos(db.url, OWNER, 1_000);
    const ids = (await pool.query<{ id: string }>("SELECT id FROM videos WHERE deleted_at IS NULL LIMIT 100")).rows.map(
      (row) => row.id,
    );

    const ways: Record<string, (id: string) => Promise<unknown>> = {
      "video.findFirst({ where: { id, deletedAt: null } })": (id) => prisma.video.findFirst({ where: { id, deletedAt: null } }),
      "video.findUnique({ where: { id, deletedAt: null } })": (id) => prisma.video.findUnique({ where: { id, deletedAt: null } }),
      "video.findUnique({ where: { id } })": (id) => prisma.video.findUnique({ where: { id } }),
      "$queryRaw: SELECT * … WHERE id = … AND deleted_at IS NULL": (id) =>
        prisma.$queryRaw`SELECT * FROM videos WHERE id = ${id}::uuid AND deleted_at IS NULL`,
      "pg Pool.query (no Prisma)": (id) => pool.query("SELECT * FROM videos WHERE id = $1 AND deleted_at IS NULL", [id]),
    };
    type Samples = { perSecond: number[]; cpuMicros: number[] };
    const results = new Map<string, Samples>();
    const samples = (key: string): Samples => {
      let entry = results.get(key);
      if (!entry) results.set(key, (entry = { perSecond: [], cpuMicros: [] }));
      return entry;
    };
    for (let round = -1; round < ROUNDS; round++) {
      for (const concurrency of CONCURRENCIES) {
        for (const [name, read] of Object.entries(ways)) {
          let next = 0;
          const cpuBefore = process.cpuUsage();
          const started = performance.now();
          await Promise.all(
            Array.from({ length: concurrency }, async () => {
              while (next < QUERIES) await read(ids[next++ % ids.length] as string);
            }),
          );
          const cpu = process.cpuUsage(cpuBefore);
          if (round < 0) continue; // warm-up: query compiler, plan caches, connections
          const entry = samples(`${name}\u0000${concurrency}`);
          entry.perSecond.push((QUERIES / (performance.now() - started)) * 1000);
          entry.cpuMicros.push((cpu.user + cpu.system) / QUERIES);
        }
      }
      if (round >= 0) progress(`round ${round + 1}/${ROUNDS} done`);
    }
    const rows = Object.keys(ways).map((name) => [
      `\`${name}\``,
      ...CONCURRENCIES.flatMap((concurrency) => {
        const { perSecond, cpuMicros } = samples(`${name}\u0000${concurrency}`);
        return [Math.round(median(perSecond)).toLocaleString("en-US"), String(Math.round(median(cpuMicros)))];
      }),
    ]);
    process.stdout.write(`## One video by id: Prisma's ways and pg

Command: \`${benchCommand("prisma-by-id.ts")}\`

${facts}
- database: ${await serverVersion(db.url)}

Setup: a scratch database migrated with \`applyMigrations\`, 1,000 videos of one owner, reads cycling over
100 of them. One process pinned to core 0, one loop of awaited reads and ${CONCURRENCIES[1]} concurrent ones, ${QUERIES.toLocaleString("en-US")} reads per way and round, one
warm-up round, then ${ROUNDS} rounds with the ways interleaved; medians. CPU is \`process.cpuUsage()\` of the
whole process (all threads) divided by the reads.

${table(["read", "1 at a time: reads/s", "CPU µs / read", `${CONCURRENCIES[1]} at a time: reads/s`, "CPU µs / read"], rows)}
`);
  } finally {
    await prisma.$disconnect();
    await pool.end();
    await db.drop().catch(() => undefined);
  }
}

await main();
