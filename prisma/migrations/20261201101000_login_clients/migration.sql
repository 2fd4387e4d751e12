-- Environment-level OAuth clients' login settings: redirect allow-lists, client type, PKCE (src/api/clients)
-- CreateTable
CREATE TABLE "client_login_settings" (
    "client_id" TEXT NOT NULL,
    "client_type" TEXT NOT NULL DEFAULT 'WEB_APP',
    "post_login_uris" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "post_logout_redirect_uris" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "back_channel_logout_uris" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "initiate_login_uri" TEXT,
    "enforce_pkce" BOOLEAN NOT NULL DEFAULT false,
    "access_token_expiry" INTEGER NOT NULL DEFAULT 300,
    "disallow_api_access" BOOLEAN NOT NULL DEFAULT false,
    "grant_types" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "client_login_settings_pkey" PRIMARY KEY ("client_id")
);

-- AddForeignKey
ALTER TABLE "client_login_settings" ADD CONSTRAINT "client_login_settings_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "api_clients"("id") ON DELETE CASCADE ON UPDATE CASCADE;

