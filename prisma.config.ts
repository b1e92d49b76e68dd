import { defineConfig } from "prisma/config";

// The CLI is used only offline (generate/validate/format); migrations run through scripts/db-migrate.ts.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
