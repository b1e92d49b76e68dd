import { ContainerModule } from "inversify";
import { UNIT_OF_WORK, type UnitOfWork } from "../shared/application/unit-of-work.js";
import { DATABASE, type Database } from "./database.js";

/** What the database port implies beyond itself: the unit of work every context writes through. */
export const databaseModule = new ContainerModule(({ bind }) => {
  bind<UnitOfWork>(UNIT_OF_WORK)
    .toDynamicValue((context) => {
      const database = context.get<Database>(DATABASE);
      return { run: (work) => database.transaction(work) };
    })
    .inSingletonScope();
});
