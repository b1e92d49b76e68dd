/** Placeholder until the webhooks screen lands. */
export function Webhooks(_props: { params: string[] }) {
  return <h1>Webhooks</h1>;
}
