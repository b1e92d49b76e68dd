/** Placeholder until the admin screen lands. */
export function Admin(_props: { params: string[] }) {
  return <h1>Admin</h1>;
}
