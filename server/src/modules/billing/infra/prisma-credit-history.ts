import { inject, injectable } from "inversify";
import { DATABASE, type Database } from "../../../database/database.js";
import { keysetPage } from "../../../database/keyset.js";
import type { CreditEntry as CreditEntryRow } from "../../../generated/prisma/client.js";
import { toPage, type Page } from "../../../shared/application/pagination.js";
import type { CreditHistory } from "../application/credit-history.js";
import type { CreditEntry } from "../domain/credit-entry.js";

@injectable()
export class PrismaCreditHistory implements CreditHistory {
  constructor(@inject(DATABASE) private readonly db: Database) {}

  async list(userId: string, page: { cursor?: string | undefined; limit: number }): Promise<Page<CreditEntry>> {
    const { where: after, ...order } = keysetPage(page.cursor, page.limit);
    const rows = await this.db.client.creditEntry.findMany({ where: { AND: [{ userId }, after] }, ...order });
    return toPage(rows, page.limit, toEntry);
  }
}

function toEntry(row: CreditEntryRow): CreditEntry {
  return { ...row };
}
