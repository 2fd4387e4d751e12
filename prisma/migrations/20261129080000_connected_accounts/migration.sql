-- CreateTable
CREATE TABLE "account_connectors" (
    "name" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "authorization_type" TEXT NOT NULL,
    "tool_executor_url" TEXT,
    "proxy_base_url" TEXT,
    "proxy_headers" JSONB NOT NULL DEFAULT '{}',
    "token_url" TEXT,
    "client_id" TEXT,
    "client_secret" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "account_connectors_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "connected_accounts" (
    "id" TEXT NOT NULL,
    "organization_id" TEXT NOT NULL DEFAULT '',
    "user_id" TEXT NOT NULL DEFAULT '',
    "connector" TEXT NOT NULL,
    "identifier" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "connection_id" TEXT NOT NULL,
    "authorization_type" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "credentials" TEXT,
    "api_config" JSONB NOT NULL DEFAULT '{}',
    "token_expires_at" TIMESTAMP(3),
    "last_used_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "connected_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "connected_account_auth_requests" (
    "id" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "connected_account_id" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT '',
    "user_verify_url" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL,
    "pending_credentials" TEXT,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "connected_account_auth_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tools" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "schema_version" TEXT NOT NULL,
    "tool_version" TEXT NOT NULL,
    "is_default" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tools_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "generated_encryption_keys" (
    "purpose" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "generated_encryption_keys_pkey" PRIMARY KEY ("purpose")
);

-- CreateIndex
CREATE UNIQUE INDEX "account_connectors_id_key" ON "account_connectors"("id");

-- CreateIndex
CREATE INDEX "connected_accounts_connector_identifier_idx" ON "connected_accounts"("connector", "identifier");

-- CreateIndex
CREATE UNIQUE INDEX "connected_accounts_organization_id_user_id_connector_identi_key" ON "connected_accounts"("organization_id", "user_id", "connector", "identifier");

-- CreateIndex
CREATE UNIQUE INDEX "connected_account_auth_requests_token_hash_key" ON "connected_account_auth_requests"("token_hash");

-- CreateIndex
CREATE INDEX "connected_account_auth_requests_connected_account_id_idx" ON "connected_account_auth_requests"("connected_account_id");

-- CreateIndex
CREATE INDEX "tools_provider_idx" ON "tools"("provider");

-- CreateIndex
CREATE UNIQUE INDEX "tools_name_schema_version_tool_version_key" ON "tools"("name", "schema_version", "tool_version");

-- AddForeignKey
ALTER TABLE "connected_account_auth_requests" ADD CONSTRAINT "connected_account_auth_requests_connected_account_id_fkey" FOREIGN KEY ("connected_account_id") REFERENCES "connected_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
