import { ContainerModule } from "inversify";
import { PrismaEventOutbox } from "../outbox/prisma-event-outbox.js";
import { PruneOutboxTask } from "../outbox/prune-outbox.task.js";
import { CLOCK, type Clock } from "../shared/application/clock.js";
import { HOUSEKEEPING_TASK } from "../shared/application/housekeeping.js";
import { EVENT_OUTBOX } from "../shared/application/event-outbox.js";
import { UNIT_OF_WORK, type UnitOfWork } from "../shared/application/unit-of-work.js";
import { DATABASE, type Database } from "./database.js";

/** What the database port implies beyond itself: the unit of work every context writes through, and the outbox its events join. */
export const databaseModule = new ContainerModule(({ bind }) => {
  bind<UnitOfWork>(UNIT_OF_WORK)
    .toDynamicValue((context) => {
      const database = context.get<Database>(DATABASE);
      return { run: (work) => database.transaction(work) };
    })
    .inSingletonScope();
  bind(EVENT_OUTBOX)
    .toDynamicValue((context) => new PrismaEventOutbox(context.get<Database>(DATABASE)))
    .inSingletonScope();
  bind(HOUSEKEEPING_TASK)
    .toDynamicValue((context) => new PruneOutboxTask(context.get<Database>(DATABASE), context.get<Clock>(CLOCK)))
    .inSingletonScope();
});
