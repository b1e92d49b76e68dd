import { lazy, Suspense } from "react";
import { useSession } from "./api/session";
import { ErrorBoundary } from "./components/ErrorBoundary";
import { Layout } from "./components/Layout";
import { useDocumentTitle } from "./components/use-document-title";
import { useRoute } from "./router";
import { Admin } from "./screens/Admin";
import { ApiKeys } from "./screens/ApiKeys";
import { Credits } from "./screens/Credits";
import { Generate } from "./screens/Generate";
import { SignIn } from "./screens/SignIn";
import { Upload } from "./screens/Upload";
import { Videos } from "./screens/Videos";
import { Webhooks } from "./screens/Webhooks";

// The video page holds the player; hls.js is loaded by the player itself, only when it opens.
const VideoDetail = lazy(() => import("./screens/VideoDetail").then((module) => ({ default: module.VideoDetail })));

const SCREENS: Record<string, (props: { params: string[] }) => React.ReactNode> = {
  videos: Videos,
  upload: Upload,
  generate: Generate,
  credits: Credits,
  keys: ApiKeys,
  webhooks: Webhooks,
  admin: Admin,
};

function NotFound() {
  useDocumentTitle("Not found");
  return <h1>Not found</h1>;
}

export function App() {
  const { signedIn } = useSession();
  const [section = "videos", ...params] = useRoute();
  if (!signedIn) return <SignIn />;
  const Screen = SCREENS[section];
  return (
    <Layout section={section}>
      {/* Keyed by the route: leaving a screen that failed gives the next one a fresh boundary. */}
      <ErrorBoundary key={[section, ...params].join("/")}>
        <Suspense fallback={<p>Loading…</p>}>
          {section === "videos" && params.length > 0 ? (
            <VideoDetail params={params} />
          ) : Screen ? (
            <Screen params={params} />
          ) : (
            <NotFound />
          )}
        </Suspense>
      </ErrorBoundary>
    </Layout>
  );
}
