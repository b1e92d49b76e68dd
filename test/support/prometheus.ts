import parsePrometheusTextFormat, { type PrometheusFamily } from "parse-prometheus-text-format";

export interface Scrape {
  /** Every family by name, with its declared type (the parser throws on a malformed line). */
  families: Map<string, PrometheusFamily>;
  /** The samples of one series name (e.g. `x_count` of histogram `x`), with their labels and values. */
  samples(name: string): { labels: Record<string, string>; value: number }[];
  /** The one sample of `name` whose labels include `labels`, or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

/**
 * Parses a scrape with a Prometheus text-format parser. The parser folds a histogram's series
 * into one bucket map when they carry labels, so the sample values come from a second parse in
 * which histograms are read as untyped families: each _bucket, _sum and _count series keeps
 * its labels.
 */
export function parseScrape(text: string): Scrape {
  const families = new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family]));
  const untyped = parsePrometheusTextFormat(text.replace(/^# TYPE (\S+) histogram$/gm, "# TYPE $1 untyped"));
  const byName = new Map<string, { labels: Record<string, string>; value: number }[]>();
  for (const family of untyped) {
    const list = byName.get(family.name) ?? [];
    for (const sample of family.metrics) list.push({ labels: sample.labels ?? {}, value: Number(sample.value) });
    byName.set(family.name, list);
  }
  const samples = (name: string) => byName.get(name) ?? [];
  return {
    families,
    samples,
    value: (name, labels = {}) =>
      samples(name).find((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value,
  };
}
