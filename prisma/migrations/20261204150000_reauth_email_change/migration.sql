-- AlterTable
ALTER TABLE "access_tokens" ADD COLUMN "reauthenticated_at" DATETIME;

-- AlterTable
ALTER TABLE "email_tokens" ADD COLUMN "new_email" TEXT;
