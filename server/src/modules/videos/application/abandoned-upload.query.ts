export interface AbandonedUploadQuery {
  /** Videos (not deleted) still UPLOADING whose last change is older than `updatedBefore`, oldest first. */
  findIds(updatedBefore: Date, limit: number): Promise<string[]>;
}

export const ABANDONED_UPLOAD_QUERY = Symbol.for("AbandonedUploadQuery");
