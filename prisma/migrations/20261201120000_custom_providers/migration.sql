-- Custom providers of Agent Actions (ProviderService)
-- CreateTable
CREATE TABLE "custom_providers" (
    "id" TEXT NOT NULL,
    "identifier" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "auth_patterns" JSONB NOT NULL DEFAULT '[]',
    "proxy_url" TEXT NOT NULL,
    "proxy_enabled" BOOLEAN NOT NULL DEFAULT true,
    "icon_src" TEXT NOT NULL DEFAULT '',
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "custom_providers_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "custom_providers_identifier_key" ON "custom_providers"("identifier");

