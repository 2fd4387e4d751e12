-- Login requests of Bring your own Auth (AuthService/UpdateLoginUserDetails)
-- CreateTable
CREATE TABLE "login_requests" (
    "id" TEXT NOT NULL,
    "connection_id" TEXT NOT NULL,
    "auth_request_id" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "user" JSONB,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "login_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "login_requests_auth_request_id_key" ON "login_requests"("auth_request_id");

-- CreateIndex
CREATE INDEX "login_requests_connection_id_idx" ON "login_requests"("connection_id");

-- AddForeignKey
ALTER TABLE "login_requests" ADD CONSTRAINT "login_requests_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;

