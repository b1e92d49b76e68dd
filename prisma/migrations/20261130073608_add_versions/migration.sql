-- AlterTable
ALTER TABLE "users" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "videos" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;
