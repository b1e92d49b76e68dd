import { useSyncExternalStore } from "react";

/**
 * Hash routes (`#/videos/abc`): the API serves one index.html at `/`, and a hash never reaches the
 * server, so deep links need no fallback route there. A dozen static routes do not need a router library.
 */
function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

function currentPath(): string {
  return window.location.hash.replace(/^#/, "") || "/videos";
}

/** The path segments of the current route, e.g. ["videos", "abc"]. */
export function useRoute(): string[] {
  const path = useSyncExternalStore(subscribe, currentPath);
  return path.split("/").filter(Boolean).map(decodeURIComponent);
}

export function hrefTo(...segments: string[]): string {
  return `#/${segments.map(encodeURIComponent).join("/")}`;
}

export function navigate(...segments: string[]): void {
  window.location.hash = hrefTo(...segments).slice(1);
}
