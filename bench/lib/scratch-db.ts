import pg from "pg";

export const ADMIN_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A uniquely named database on the local server; `drop` removes it even with connections open. */
export async function createScratchDatabase(label: string): Promise<ScratchDatabase> {
  const name = `reelbase_bench_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await withClient(ADMIN_DATABASE_URL, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await withClient(ADMIN_DATABASE_URL, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function serverVersion(url: string): Promise<string> {
  const { rows } = await withClient(url, (client) => client.query<{ server_version: string }>("SHOW server_version"));
  return `PostgreSQL ${rows[0]?.server_version ?? "?"}`;
}
