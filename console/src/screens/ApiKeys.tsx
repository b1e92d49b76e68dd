/** Placeholder until the API keys screen lands. */
export function ApiKeys(_props: { params: string[] }) {
  return <h1>ApiKeys</h1>;
}
