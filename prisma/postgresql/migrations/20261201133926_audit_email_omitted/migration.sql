-- AlterTable
ALTER TABLE "auth_events" ADD COLUMN     "email_omitted" BOOLEAN NOT NULL DEFAULT false;

-- Identifiers that are not email addresses (a password typed into the email field) are no longer kept:
-- drop those already recorded, and the throttle counters keyed by them (now keyed by their hash).
UPDATE "auth_events" SET "email" = NULL, "email_omitted" = true WHERE "email" NOT LIKE '%_@_%._%';
DELETE FROM "login_throttles" WHERE "key" LIKE 'account:%' AND "key" NOT LIKE 'account:%_@_%._%';
