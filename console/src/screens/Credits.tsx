/** Placeholder until the credits screen lands. */
export function Credits(_props: { params: string[] }) {
  return <h1>Credits</h1>;
}
