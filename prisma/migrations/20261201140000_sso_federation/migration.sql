-- Federated SSO: pending IdP requests, accepted SAML assertion ids, SP key pairs, cached IdP metadata, connection tests
-- CreateTable
CREATE TABLE "sso_requests" (
    "id" TEXT NOT NULL,
    "connection_id" TEXT NOT NULL,
    "login_id" TEXT,
    "test_request_id" TEXT,
    "nonce" TEXT,
    "code_verifier" TEXT,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sso_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "saml_assertion_uses" (
    "connection_id" TEXT NOT NULL,
    "assertion_id" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "saml_assertion_uses_pkey" PRIMARY KEY ("connection_id","assertion_id")
);

-- CreateTable
CREATE TABLE "saml_sp_certificates" (
    "id" TEXT NOT NULL,
    "connection_id" TEXT NOT NULL,
    "certificate" TEXT NOT NULL,
    "private_key" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "saml_sp_certificates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "saml_idp_metadata" (
    "connection_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "xml" TEXT NOT NULL,
    "fetched_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "saml_idp_metadata_pkey" PRIMARY KEY ("connection_id")
);

-- CreateTable
CREATE TABLE "connection_test_requests" (
    "id" TEXT NOT NULL,
    "connection_id" TEXT NOT NULL,
    "status" INTEGER NOT NULL DEFAULT 0,
    "user_info" TEXT,
    "error" TEXT,
    "error_description" TEXT,
    "error_details" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMP(3),

    CONSTRAINT "connection_test_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "sso_requests_connection_id_idx" ON "sso_requests"("connection_id");

-- CreateIndex
CREATE INDEX "sso_requests_expires_at_idx" ON "sso_requests"("expires_at");

-- CreateIndex
CREATE INDEX "saml_assertion_uses_expires_at_idx" ON "saml_assertion_uses"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "saml_sp_certificates_connection_id_key" ON "saml_sp_certificates"("connection_id");

-- CreateIndex
CREATE INDEX "connection_test_requests_connection_id_idx" ON "connection_test_requests"("connection_id");

-- AddForeignKey
ALTER TABLE "sso_requests" ADD CONSTRAINT "sso_requests_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "saml_assertion_uses" ADD CONSTRAINT "saml_assertion_uses_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "saml_sp_certificates" ADD CONSTRAINT "saml_sp_certificates_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "saml_idp_metadata" ADD CONSTRAINT "saml_idp_metadata_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connection_test_requests" ADD CONSTRAINT "connection_test_requests_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;

