-- AlterTable
ALTER TABLE "auth_events" ADD COLUMN "count" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "auth_events" ADD COLUMN "last_at" DATETIME;

-- CreateIndex
CREATE INDEX "auth_events_ip_created_at_idx" ON "auth_events"("ip", "created_at");
