-- Organization M2M clients (api_clients kind organization) and opaque API tokens.

-- AlterTable
ALTER TABLE "client_secrets" ADD COLUMN     "created_by" TEXT;

-- DropIndex
DROP INDEX "api_clients_organization_id_idx";

-- CreateIndex
CREATE INDEX "api_clients_organization_id_id_idx" ON "api_clients"("organization_id", "id");

-- Deleting an organization deletes its M2M clients and so (by the client_secrets cascade) revokes their secrets
ALTER TABLE "api_clients" ADD CONSTRAINT "api_clients_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "token_suffix" TEXT NOT NULL,
    "organization_id" TEXT NOT NULL,
    "user_id" TEXT,
    "custom_claims" JSONB NOT NULL DEFAULT '{}',
    "description" TEXT,
    "expires_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "invalidated_at" TIMESTAMP(3),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_hash_key" ON "api_tokens"("hash");

-- CreateIndex
CREATE INDEX "api_tokens_organization_id_id_idx" ON "api_tokens"("organization_id", "id");

-- CreateIndex
CREATE INDEX "api_tokens_user_id_idx" ON "api_tokens"("user_id");

-- A token dies with its organization or its user
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
