-- CreateTable
CREATE TABLE "connections" (
    "id" TEXT NOT NULL,
    "organization_id" TEXT,
    "provider" INTEGER NOT NULL,
    "provider_key" TEXT NOT NULL DEFAULT '',
    "type" INTEGER NOT NULL,
    "status" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "debug_enabled" BOOLEAN NOT NULL DEFAULT false,
    "ui_button_title" TEXT NOT NULL DEFAULT '',
    "configuration_type" INTEGER NOT NULL DEFAULT 0,
    "attribute_mapping" JSONB NOT NULL DEFAULT '{}',
    "key_id" TEXT NOT NULL,
    "settings_case" TEXT,
    "settings" JSONB,
    "is_app" BOOLEAN NOT NULL DEFAULT false,
    "is_login" BOOLEAN NOT NULL DEFAULT false,
    "context" JSONB,
    "create_time" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "update_time" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "connections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "domains" (
    "id" TEXT NOT NULL,
    "organization_id" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "domain_type" INTEGER NOT NULL,
    "verification_status" INTEGER NOT NULL,
    "verification_method" INTEGER NOT NULL,
    "create_time" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "update_time" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "domains_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "connection_domains" (
    "connection_id" TEXT NOT NULL,
    "domain_id" TEXT NOT NULL,

    CONSTRAINT "connection_domains_pkey" PRIMARY KEY ("connection_id","domain_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "connections_key_id_key" ON "connections"("key_id");

-- CreateIndex
CREATE INDEX "connections_organization_id_idx" ON "connections"("organization_id");

-- CreateIndex
CREATE UNIQUE INDEX "domains_domain_key" ON "domains"("domain");

-- CreateIndex
CREATE INDEX "domains_organization_id_id_idx" ON "domains"("organization_id", "id");

-- CreateIndex
CREATE INDEX "connection_domains_domain_id_idx" ON "connection_domains"("domain_id");

-- AddForeignKey
ALTER TABLE "connection_domains" ADD CONSTRAINT "connection_domains_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connection_domains" ADD CONSTRAINT "connection_domains_domain_id_fkey" FOREIGN KEY ("domain_id") REFERENCES "domains"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- AddForeignKey (organizations are owned by another schema file, so the constraints are written by hand: deleting an
-- organization removes its connections and domains)
ALTER TABLE "connections" ADD CONSTRAINT "connections_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "domains" ADD CONSTRAINT "domains_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
