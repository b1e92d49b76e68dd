import { randomUUID } from "node:crypto";
import { DATABASE, type Database } from "../../server/src/database/database.js";
import type { TestApp } from "./test-app.js";

/**
 * Views as the playback side records them (one row per token per 30-minute window), written straight
 * to playback_views: the read side is tested without depending on how views are counted.
 */
export async function recordViews(app: TestApp, videoId: string, instants: Date[]): Promise<void> {
  const db = app.container.get<Database>(DATABASE);
  await db.prisma.playbackView.createMany({
    data: instants.map((instant) => ({
      id: randomUUID(),
      videoId,
      tokenId: randomUUID(),
      windowStart: new Date(Math.floor(instant.getTime() / 1_800_000) * 1_800_000),
      day: new Date(`${instant.toISOString().slice(0, 10)}T00:00:00.000Z`),
      createdAt: instant,
    })),
  });
}
