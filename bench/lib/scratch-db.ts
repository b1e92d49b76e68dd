import { createScratchDatabase as createOn, withPgClient, type ScratchDatabase } from "../../test/support/services.js";

export const ADMIN_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

export type { ScratchDatabase };
export const withClient = withPgClient;

/** A uniquely named database on the local server for one benchmark run. */
export function createScratchDatabase(label: string): Promise<ScratchDatabase> {
  return createOn(ADMIN_DATABASE_URL, `bench_${label}`);
}

export async function serverVersion(url: string): Promise<string> {
  const { rows } = await withClient(url, (client) => client.query<{ server_version: string }>("SHOW server_version"));
  return `PostgreSQL ${rows[0]?.server_version ?? "?"}`;
}
