-- CreateTable
CREATE TABLE "pending_object_deletions" (
    "key" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "tried_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pending_object_deletions_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "pending_object_deletions_tried_at_idx" ON "pending_object_deletions"("tried_at");
