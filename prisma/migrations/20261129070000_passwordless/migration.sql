-- Passwordless auth requests and passkey credential records
-- CreateTable
CREATE TABLE "passwordless_requests" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "template" INTEGER,
    "state" TEXT,
    "passwordless_type" INTEGER NOT NULL,
    "magiclink_auth_uri" TEXT,
    "template_variables" JSONB NOT NULL DEFAULT '{}',
    "expires_in" INTEGER NOT NULL,
    "code_hash" TEXT,
    "link_token_hash" TEXT,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "resent_count" INTEGER NOT NULL DEFAULT 0,
    "consumed_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "passwordless_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "passkey_credentials" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "credential_id" BYTEA NOT NULL,
    "public_key" BYTEA,
    "sign_count" BIGINT NOT NULL DEFAULT 0,
    "attestation_type" TEXT NOT NULL DEFAULT 'none',
    "transports" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "authenticator" JSONB NOT NULL DEFAULT '{}',
    "user_present" BOOLEAN NOT NULL DEFAULT true,
    "user_verified" BOOLEAN NOT NULL DEFAULT false,
    "backup_eligible" BOOLEAN NOT NULL DEFAULT false,
    "backup_state" BOOLEAN NOT NULL DEFAULT false,
    "user_agent" JSONB NOT NULL DEFAULT '{}',
    "client_info" JSONB NOT NULL DEFAULT '{}',
    "display_name" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "passkey_credentials_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "passwordless_requests_link_token_hash_key" ON "passwordless_requests"("link_token_hash");

-- CreateIndex
CREATE UNIQUE INDEX "passkey_credentials_credential_id_key" ON "passkey_credentials"("credential_id");

-- CreateIndex
CREATE INDEX "passkey_credentials_user_id_idx" ON "passkey_credentials"("user_id");


-- AddForeignKey
ALTER TABLE "passkey_credentials" ADD CONSTRAINT "passkey_credentials_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
