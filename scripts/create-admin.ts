import "reflect-metadata";
import { createInterface } from "node:readline";
import { ConfigError, loadConfig } from "../server/src/config/config.js";
import { createAppContainer } from "../server/src/container.js";
import { createWinstonLogger } from "../server/src/logging/winston-logger.js";
import { BootstrapAdminUseCase } from "../server/src/modules/identity/application/bootstrap-admin.use-case.js";
import { DomainError } from "../server/src/shared/domain/domain-error.js";

// Usage: npm run admin:create -- <email>   (password from ADMIN_PASSWORD or the first line of stdin,
// never from argv, where it would show in the process list and shell history)

async function readPassword(): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD;
  if (process.stdin.isTTY) process.stderr.write("Password (min. 10 characters): ");
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return "";
}

async function main(): Promise<number> {
  const email = process.argv[2];
  if (!email) {
    process.stderr.write("usage: npm run admin:create -- <email>  (password via ADMIN_PASSWORD or stdin)\n");
    return 2;
  }
  const config = loadConfig();
  const logger = createWinstonLogger({ level: "warn", json: false });
  const { container, lifecycle } = await createAppContainer(config, logger);
  try {
    const { user, created } = await container.get(BootstrapAdminUseCase).execute({ email, password: await readPassword() });
    process.stdout.write(`${created ? "created" : "promoted or kept"} administrator ${user.email} (${user.id})\n`);
    return 0;
  } finally {
    await lifecycle.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof DomainError || error instanceof ConfigError ? error.message : String(error);
    process.stderr.write(`admin:create failed: ${message}\n`);
    process.exit(1);
  },
);
