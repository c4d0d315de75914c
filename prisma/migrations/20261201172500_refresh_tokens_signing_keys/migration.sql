-- CreateTable
CREATE TABLE "refresh_families" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "user_id" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" DATETIME NOT NULL,
    "idle_expires_at" DATETIME NOT NULL,
    "last_used_at" DATETIME,
    "revoked_at" DATETIME,
    "client_id" TEXT NOT NULL,
    "user_agent" TEXT,
    "ip" TEXT,
    CONSTRAINT "refresh_families_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "refresh_tokens" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "family_id" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" DATETIME NOT NULL,
    "spent_at" DATETIME,
    CONSTRAINT "refresh_tokens_family_id_fkey" FOREIGN KEY ("family_id") REFERENCES "refresh_families" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "signing_keys" (
    "kid" TEXT NOT NULL PRIMARY KEY,
    "alg" TEXT NOT NULL,
    "public_jwk" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_access_tokens" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "user_id" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" DATETIME NOT NULL,
    "revoked_at" DATETIME,
    "last_used_at" DATETIME,
    "user_agent" TEXT,
    "ip" TEXT,
    "method" TEXT NOT NULL DEFAULT 'password',
    "session_id" TEXT,
    "family_id" TEXT,
    "kid" TEXT,
    CONSTRAINT "access_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "access_tokens_family_id_fkey" FOREIGN KEY ("family_id") REFERENCES "refresh_families" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_access_tokens" ("created_at", "expires_at", "id", "ip", "last_used_at", "method", "revoked_at", "session_id", "user_agent", "user_id") SELECT "created_at", "expires_at", "id", "ip", "last_used_at", "method", "revoked_at", "session_id", "user_agent", "user_id" FROM "access_tokens";
DROP TABLE "access_tokens";
ALTER TABLE "new_access_tokens" RENAME TO "access_tokens";
CREATE INDEX "access_tokens_user_id_expires_at_idx" ON "access_tokens"("user_id", "expires_at");
CREATE INDEX "access_tokens_session_id_idx" ON "access_tokens"("session_id");
CREATE INDEX "access_tokens_family_id_idx" ON "access_tokens"("family_id");
CREATE INDEX "access_tokens_kid_expires_at_idx" ON "access_tokens"("kid", "expires_at");
CREATE INDEX "access_tokens_expires_at_idx" ON "access_tokens"("expires_at");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "refresh_families_user_id_idx" ON "refresh_families"("user_id");

-- CreateIndex
CREATE INDEX "refresh_families_idle_expires_at_idx" ON "refresh_families"("idle_expires_at");

-- CreateIndex
CREATE INDEX "refresh_tokens_family_id_idx" ON "refresh_tokens"("family_id");
