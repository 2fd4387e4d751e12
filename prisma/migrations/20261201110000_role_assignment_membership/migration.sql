-- A role is held through a membership. Rows left without one (possible only while code kept this by hand) go first.
DELETE FROM "role_assignments" a WHERE NOT EXISTS (SELECT 1 FROM "memberships" m WHERE m."organization_id" = a."organization_id" AND m."user_id" = a."user_id");

-- AddForeignKey
ALTER TABLE "role_assignments" ADD CONSTRAINT "role_assignments_organization_id_user_id_fkey" FOREIGN KEY ("organization_id", "user_id") REFERENCES "memberships"("organization_id", "user_id") ON DELETE CASCADE ON UPDATE CASCADE;
