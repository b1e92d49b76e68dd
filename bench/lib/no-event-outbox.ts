/**
 * Bench-only preload for bench/outbox-cost.ts: the API with event recording switched off.
 *
 *   node --import tsx --import ./bench/lib/no-event-outbox.ts server/src/main.ts
 *
 * `PrismaEventOutbox.append` becomes a no-op (no INSERT into outbox_events, no wake after commit),
 * which is what binding a no-op EventOutbox in the composition root would do, without adding a
 * switch to the product: this file exists only so that bench can measure what the outbox adds to a
 * request, and nothing else loads it. The bench checks that the switch took (no outbox rows from
 * the API started with it, one per event from the other).
 */
import { PrismaEventOutbox } from "../../server/src/outbox/prisma-event-outbox.js";

PrismaEventOutbox.prototype.append = async function append(): Promise<void> {};
