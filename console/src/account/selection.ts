/**
 * A checkbox group's value: the items ticked, always in the order the options are listed, each once,
 * so what is sent (scopes, event types) does not depend on the order they were clicked in.
 */
export function toggleInOrder<T>(selected: readonly T[], item: T, checked: boolean, order: readonly T[]): T[] {
  const next = new Set(selected);
  if (checked) next.add(item);
  else next.delete(item);
  return order.filter((option) => next.has(option));
}
