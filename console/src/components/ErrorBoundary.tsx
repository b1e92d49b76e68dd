import { Component, type ReactNode } from "react";
import { ErrorNotice } from "./ErrorNotice";

interface State {
  failed: boolean;
  error: unknown;
}

/**
 * A screen that throws while rendering, or whose lazily loaded code could not be fetched (offline on
 * the first visit to a video page), shows what went wrong in its place; without a boundary React
 * unmounts the whole console and leaves a blank page. React.lazy keeps a failed import failed, so
 * trying again means loading the page again.
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { failed: false, error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { failed: true, error };
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return <ErrorNotice error={this.state.error} onRetry={() => window.location.reload()} />;
  }
}
