-- AlterTable
ALTER TABLE "access_tokens" ADD COLUMN     "reauthenticated_at" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "email_tokens" ADD COLUMN     "new_email" TEXT;
