/** Placeholder until the generate screen lands. */
export function Generate(_props: { params: string[] }) {
  return <h1>Generate</h1>;
}
