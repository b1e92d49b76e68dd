/** Placeholder until the upload screen lands. */
export function Upload(_props: { params: string[] }) {
  return <h1>Upload</h1>;
}
