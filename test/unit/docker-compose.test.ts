import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";

/**
 * No Docker engine runs where the tests run, so docker-compose.yml and the Dockerfile are checked by
 * reading them: the parts that, when wrong, only show up on someone's `docker compose up`.
 */
const root = new URL("../../", import.meta.url);
const read = (file: string) => readFileSync(fileURLToPath(new URL(file, root)), "utf8");

interface Healthcheck {
  test?: string | string[];
  disable?: boolean;
}

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: Healthcheck;
}

function loadCompose(): { services: Record<string, Service> } {
  const document = parseDocument(read("docker-compose.yml"));
  expect(document.errors.map(String)).toEqual([]);
  expect(document.warnings.map(String)).toEqual([]);
  return document.toJS({ maxAliasCount: 100 }) as { services: Record<string, Service> };
}

const compose = loadCompose();
const service = (name: string): Service => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
};

function environmentOf(svc: Service): Record<string, string> {
  const env = svc.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf("=");
        return at === -1 ? [entry, ""] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? "" : String(value)]));
}

/**
 * Interpolations compose would turn into an empty string when the variable is unset: `$VAR` and
 * `${VAR}` without a `:-default`, `-default`, `:?message` or `?message`. `$$` is a literal dollar.
 */
function unguardedVariables(value: string): string[] {
  const problems: string[] = [];
  for (const match of value.matchAll(/\$\$|\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
    if (match[0] === "$$") continue;
    const braced = match[1];
    if (braced === undefined) {
      problems.push(match[0]);
    } else if (!/^[A-Za-z_][A-Za-z0-9_]*(:?-|:?\?)/.test(braced)) {
      problems.push(match[0]);
    }
  }
  return problems;
}

const healthTest = (svc: Service): string => {
  const test = svc.healthcheck?.test;
  return Array.isArray(test) ? test.join(" ") : (test ?? "");
};

describe("docker-compose.yml", () => {
  it("defines the services the README's Docker section names, plus a one-shot bucket initialiser", () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(["postgres", "redis", "minio", "server", "worker"]));
    const bucketInit = Object.values(compose.services).find((svc) => svc.image?.startsWith("minio/mc"));
    expect(bucketInit, "a minio/mc service that creates the bucket").toBeDefined();
    const command = [bucketInit?.command ?? []].flat().join(" ");
    expect(command).toMatch(/mc mb\b.*\blocal\/reelbase\b/);
  });

  it("gives every backing service a healthcheck", () => {
    expect(healthTest(service("postgres"))).toMatch(/pg_isready/);
    expect(healthTest(service("redis"))).toMatch(/redis-cli ping/);
    expect(healthTest(service("minio"))).toMatch(/\S/);
    expect(service("minio").command).toEqual(expect.arrayContaining(["server", "/data", "--console-address", ":9001"]));
  });

  it.each(["server", "worker"])("builds %s from the Dockerfile at the repository root", (name) => {
    const build = service(name).build;
    const context = typeof build === "string" ? build : build?.context;
    expect(context).toBe(".");
    if (typeof build === "object" && build.dockerfile) expect(build.dockerfile).toBe("Dockerfile");
  });

  it("runs the compiled API and worker, through scripts that exist and point at the build", () => {
    expect(service("server").command ?? ["npm", "run", "start:prod"]).toEqual(["npm", "run", "start:prod"]);
    expect(service("worker").command).toEqual(["npm", "run", "worker:prod"]);
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
    expect(scripts["start:prod"]).toBe("node server/dist/main.js");
    expect(scripts["worker:prod"]).toBe("node server/dist/worker.js");
  });

  it.each(["server", "worker"])("starts %s only once postgres and redis are healthy", (name) => {
    const dependsOn = service(name).depends_on;
    expect(Array.isArray(dependsOn), "depends_on must use the long form with conditions").toBe(false);
    const conditions = dependsOn as Record<string, { condition?: string }>;
    expect(conditions.postgres?.condition).toBe("service_healthy");
    expect(conditions.redis?.condition).toBe("service_healthy");
  });

  it("checks the API's readiness with node's fetch, the slim image having no curl", () => {
    const test = healthTest(service("server"));
    expect(test).toMatch(/\bnode\b.*fetch\(.*\/health\/ready/);
    expect(test).not.toMatch(/\b(curl|wget)\b/);
    expect(compose.services.server?.healthcheck?.disable).not.toBe(true);
  });

  it("publishes the API on port 3000", () => {
    const ports = (service("server") as { ports?: (string | number)[] }).ports ?? [];
    expect(ports.map(String)).toContainEqual(expect.stringMatching(/(^|:)3000:3000$/));
  });

  it.each(["server", "worker"])("configures %s for the production adapters", (name) => {
    const env = environmentOf(service(name));
    expect(env).toMatchObject({
      NODE_ENV: "production",
      HOST: "0.0.0.0",
      PORT: "3000",
      DATABASE_URL: "postgresql://reelbase:reelbase@postgres:5432/reelbase",
      REDIS_URL: "redis://redis:6379",
      S3_BUCKET: "reelbase",
      S3_ENDPOINT: "http://minio:9000",
      S3_REGION: "us-east-1",
      S3_FORCE_PATH_STYLE: "true",
    });
    expect(env.S3_ACCESS_KEY_ID).toBeTruthy();
    expect(env.S3_SECRET_ACCESS_KEY).toBeTruthy();
    expect(env).toHaveProperty("CORS_ORIGINS");
    // Production refuses to start without a secret: compose must refuse too, not pass an empty string.
    expect(env.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?.+\}$/);
  });

  it.each(["server", "worker"])("has no ${VAR} in %s's environment that could silently become empty", (name) => {
    const problems = Object.entries(environmentOf(service(name))).flatMap(([key, value]) =>
      unguardedVariables(value).map((variable) => `${key}: ${variable}`),
    );
    expect(problems).toEqual([]);
  });

  it("recognises unguarded variables (self-check of the check above)", () => {
    expect(unguardedVariables("${A} $B ${C:-x} ${D-x} ${E:?need E} ${F?need F} $$G ${H:-}")).toEqual(["${A}", "$B"]);
  });
});

describe("Dockerfile", () => {
  const dockerfile = existsSync(fileURLToPath(new URL("Dockerfile", root))) ? read("Dockerfile") : "";
  const instructions = dockerfile
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const lastFrom = instructions.findLastIndex((line) => /^FROM\s/i.test(line));
  const finalStage = instructions.slice(lastFrom);

  it("exists at the repository root, multi-stage, on node:20-bookworm-slim", () => {
    expect(dockerfile, "Dockerfile is missing").not.toBe("");
    const froms = instructions.filter((line) => /^FROM\s/i.test(line));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^FROM\s+node:20-bookworm-slim\b/i);
  });

  it("installs from the lockfile and builds", () => {
    expect(instructions).toContainEqual(expect.stringMatching(/^RUN\s.*\bnpm ci\b/));
    expect(instructions).toContainEqual(expect.stringMatching(/^RUN\s.*\bnpm run build\b/));
  });

  it("runs as a non-root user in the final stage", () => {
    const users = finalStage.filter((line) => /^USER\s/i.test(line));
    expect(users.length, "the final stage needs a USER instruction").toBeGreaterThan(0);
    const user = users.at(-1)?.split(/\s+/)[1]?.split(":")[0];
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user);
  });

  it("ships Debian's ffmpeg in the final stage and points the media tools at it", () => {
    expect(finalStage).toContainEqual(expect.stringMatching(/^RUN\s.*apt-get install .*\bffmpeg\b/));
    const env = finalStage.filter((line) => /^ENV\s/i.test(line)).join(" ");
    expect(env).toContain("FFMPEG_PATH=/usr/bin/ffmpeg");
    expect(env).toContain("FFPROBE_PATH=/usr/bin/ffprobe");
  });

  it("starts the API by default", () => {
    expect(finalStage.filter((line) => /^CMD\s/i.test(line)).at(-1)).toMatch(/^CMD\s+\[\s*"npm",\s*"run",\s*"start:prod"\s*\]$/);
  });

  it("has a .dockerignore that keeps node_modules, local data and secrets out of the build context", () => {
    const ignored = read(".dockerignore")
      .split(/\r?\n/)
      .map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(["**/node_modules", "data", ".env", ".git"]));
  });
});
