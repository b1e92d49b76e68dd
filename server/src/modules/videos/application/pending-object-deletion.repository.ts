/** An object whose delete failed: kept until a retry succeeds. */
export interface PendingObjectDeletion {
  key: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
}

export interface PendingObjectDeletionRepository {
  /** Remembers keys whose first delete failed; a key already remembered is left as it is. */
  record(keys: string[], error: string, now: Date): Promise<void>;
  /** The ones tried longest ago first. */
  listDue(limit: number): Promise<PendingObjectDeletion[]>;
  remove(key: string): Promise<void>;
  /** Another attempt failed: counts it and keeps the error. */
  failedAgain(key: string, error: string, now: Date): Promise<void>;
}

export const PENDING_OBJECT_DELETION_REPOSITORY = Symbol.for("PendingObjectDeletionRepository");
