/** Placeholder until the a video screen lands. */
export function VideoDetail(_props: { params: string[] }) {
  return <h1>VideoDetail</h1>;
}
