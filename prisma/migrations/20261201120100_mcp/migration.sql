-- MCP configs and instances (McpService)
-- CreateTable
CREATE TABLE "mcp_configs" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "mappings" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mcp_configs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mcp_instances" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "config_id" TEXT NOT NULL,
    "user_identifier" TEXT NOT NULL,
    "last_used_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mcp_instances_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "mcp_configs_name_key" ON "mcp_configs"("name");

-- CreateIndex
CREATE UNIQUE INDEX "mcp_instances_name_key" ON "mcp_instances"("name");

-- CreateIndex
CREATE INDEX "mcp_instances_config_id_idx" ON "mcp_instances"("config_id");

-- CreateIndex
CREATE INDEX "mcp_instances_user_identifier_idx" ON "mcp_instances"("user_identifier");

-- AddForeignKey
ALTER TABLE "mcp_instances" ADD CONSTRAINT "mcp_instances_config_id_fkey" FOREIGN KEY ("config_id") REFERENCES "mcp_configs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

