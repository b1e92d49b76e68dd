import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import type { PlaybackView, PlaybackViewRepository } from "../application/playback-view.repository.js";

@injectable()
export class PrismaPlaybackViewRepository implements PlaybackViewRepository {
  constructor(@inject(DATABASE) private readonly db: Database) {}

  /** INSERT … ON CONFLICT DO NOTHING: of any number of racing inserts of one session window, one counts. */
  async record(view: PlaybackView): Promise<boolean> {
    const { count } = await this.db.client.playbackView.createMany({ data: [view], skipDuplicates: true });
    return count === 1;
  }
}
