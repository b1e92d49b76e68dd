-- AlterTable
ALTER TABLE "stored_files" ADD COLUMN     "codecs" TEXT,
ADD COLUMN     "frame_rate" DOUBLE PRECISION,
ADD COLUMN     "hls" JSONB;

-- CreateTable
CREATE TABLE "playback_views" (
    "id" UUID NOT NULL,
    "video_id" UUID NOT NULL,
    "token_id" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "day" DATE NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "playback_views_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "playback_views_video_id_day_idx" ON "playback_views"("video_id", "day");

-- CreateIndex
CREATE INDEX "playback_views_day_idx" ON "playback_views"("day");

-- CreateIndex
CREATE UNIQUE INDEX "playback_views_token_id_window_start_key" ON "playback_views"("token_id", "window_start");

-- AddForeignKey
ALTER TABLE "playback_views" ADD CONSTRAINT "playback_views_video_id_fkey" FOREIGN KEY ("video_id") REFERENCES "videos"("id") ON DELETE CASCADE ON UPDATE CASCADE;
