import { createConnection } from "node:net";
import pg from "pg";

export function serviceUrls(): { postgres: string; redis: string } {
  return {
    postgres: process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test",
    redis: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
  };
}

export async function probePostgres(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function probeRedis(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379), timeout: 2_000 });
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function withPgClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface ScratchDatabase {
  name: string;
  url: string;
  /** Removes it even with connections still open. */
  drop(): Promise<void>;
}

/** A fresh, uniquely named database on the server at `adminUrl`: test files and benchmarks never share rows. */
export async function createScratchDatabase(adminUrl: string, label = "test"): Promise<ScratchDatabase> {
  const name = `reelbase_${label}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await withPgClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await withPgClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
