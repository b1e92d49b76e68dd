import { useEffect } from "react";

const APP_NAME = "Reelbase";

/** The tab and history entry name the screen, e.g. "Videos · Reelbase"; null while its subject is still loading. */
export function useDocumentTitle(screen: string | null): void {
  useEffect(() => {
    document.title = screen ? `${screen} · ${APP_NAME}` : APP_NAME;
  }, [screen]);
}
