/** Placeholder until the videos screen lands. */
export function Videos(_props: { params: string[] }) {
  return <h1>Videos</h1>;
}
