import type { Logger } from "./application/logger.js";

interface Resource {
  name: string;
  close: () => Promise<void>;
}

/**
 * Remembers resources in the order they were started and closes them in reverse,
 * so the HTTP server stops before the database it depends on.
 */
export class Lifecycle {
  private readonly resources: Resource[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  add(name: string, close: () => Promise<void>): void {
    this.resources.push({ name, close });
  }

  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async closeAll(): Promise<void> {
    for (const resource of [...this.resources].reverse()) {
      try {
        await resource.close();
        this.logger.info(`closed ${resource.name}`);
      } catch (error) {
        this.logger.error(`failed to close ${resource.name}`, { error });
      }
    }
  }
}
