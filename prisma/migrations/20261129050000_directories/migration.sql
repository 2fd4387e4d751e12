-- CreateTable
CREATE TABLE "directories" (
    "id" TEXT NOT NULL,
    "organization_id" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "directory_type" INTEGER NOT NULL,
    "directory_provider" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL DEFAULT 'DRAFT',
    "email" TEXT NOT NULL DEFAULT '',
    "groups_tracked" TEXT NOT NULL DEFAULT 'ALL',
    "tracked_groups" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "attribute_mappings" JSONB NOT NULL DEFAULT '[]',
    "role_assignments" JSONB NOT NULL DEFAULT '[]',
    "context" JSONB NOT NULL DEFAULT '{}',
    "last_synced_at" TIMESTAMP(3),
    "create_time" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "update_time" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "directories_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "directory_secrets" (
    "id" TEXT NOT NULL,
    "directory_id" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "secret_suffix" TEXT NOT NULL,
    "status" INTEGER NOT NULL DEFAULT 0,
    "create_time" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expire_time" TIMESTAMP(3),
    "last_used_time" TIMESTAMP(3),

    CONSTRAINT "directory_secrets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "directory_users" (
    "id" TEXT NOT NULL,
    "directory_id" TEXT NOT NULL,
    "organization_id" TEXT NOT NULL,
    "user_name" TEXT NOT NULL,
    "user_name_key" TEXT NOT NULL,
    "external_id" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "email" TEXT NOT NULL DEFAULT '',
    "given_name" TEXT NOT NULL DEFAULT '',
    "family_name" TEXT NOT NULL DEFAULT '',
    "resource" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "create_time" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "update_time" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "directory_users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "directory_groups" (
    "id" TEXT NOT NULL,
    "directory_id" TEXT NOT NULL,
    "organization_id" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "external_id" TEXT,
    "resource" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "create_time" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "update_time" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "directory_groups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "directory_group_members" (
    "group_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,

    CONSTRAINT "directory_group_members_pkey" PRIMARY KEY ("group_id","user_id")
);

-- CreateIndex
CREATE INDEX "directories_organization_id_id_idx" ON "directories"("organization_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "directory_secrets_secret_hash_key" ON "directory_secrets"("secret_hash");

-- CreateIndex
CREATE INDEX "directory_secrets_directory_id_idx" ON "directory_secrets"("directory_id");

-- CreateIndex
CREATE INDEX "directory_users_directory_id_external_id_idx" ON "directory_users"("directory_id", "external_id");

-- CreateIndex
CREATE INDEX "directory_users_directory_id_update_time_idx" ON "directory_users"("directory_id", "update_time");

-- CreateIndex
CREATE UNIQUE INDEX "directory_users_directory_id_user_name_key_key" ON "directory_users"("directory_id", "user_name_key");

-- CreateIndex
CREATE INDEX "directory_groups_directory_id_display_name_idx" ON "directory_groups"("directory_id", "display_name");

-- CreateIndex
CREATE INDEX "directory_groups_directory_id_external_id_idx" ON "directory_groups"("directory_id", "external_id");

-- CreateIndex
CREATE INDEX "directory_group_members_user_id_idx" ON "directory_group_members"("user_id");

-- AddForeignKey
ALTER TABLE "directory_secrets" ADD CONSTRAINT "directory_secrets_directory_id_fkey" FOREIGN KEY ("directory_id") REFERENCES "directories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "directory_users" ADD CONSTRAINT "directory_users_directory_id_fkey" FOREIGN KEY ("directory_id") REFERENCES "directories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "directory_groups" ADD CONSTRAINT "directory_groups_directory_id_fkey" FOREIGN KEY ("directory_id") REFERENCES "directories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "directory_group_members" ADD CONSTRAINT "directory_group_members_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "directory_groups"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "directory_group_members" ADD CONSTRAINT "directory_group_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "directory_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- organizations.prisma has no back-relation, so this foreign key is declared here only
ALTER TABLE "directories" ADD CONSTRAINT "directories_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
