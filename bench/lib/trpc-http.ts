/** Minimal tRPC-over-HTTP calls with plain fetch, as any HTTP client would make them (no batching, no transformer). */
export class TrpcHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}: ${body.slice(0, 500)}`);
    this.name = "TrpcHttpError";
  }
}

interface TrpcEnvelope<T> {
  result?: { data?: T };
}

export class TrpcHttp {
  constructor(
    readonly baseUrl: string,
    private token: string | null = null,
  ) {}

  authenticate(token: string): void {
    this.token = token;
  }

  /** The URL of a query, so a benchmark can fetch the exact same request repeatedly. */
  queryUrl(path: string, input: unknown): string {
    return `${this.baseUrl}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`;
  }

  headers(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  async query<T>(path: string, input: unknown): Promise<T> {
    return this.unwrap<T>(await fetch(this.queryUrl(path, input), { headers: this.headers() }));
  }

  async mutation<T>(path: string, input: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/trpc/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...this.headers() },
      body: JSON.stringify(input),
    });
    return this.unwrap<T>(response);
  }

  private async unwrap<T>(response: Response): Promise<T> {
    const text = await response.text();
    if (!response.ok) throw new TrpcHttpError(response.status, text);
    const envelope = JSON.parse(text) as TrpcEnvelope<T>;
    if (envelope.result?.data === undefined) throw new TrpcHttpError(response.status, text);
    return envelope.result.data;
  }
}

export interface Session {
  user: { id: string; email: string };
  accessToken: string;
}

/** Registers a fresh user and returns its session; the client is authenticated as that user. */
export async function registerUser(api: TrpcHttp, label: string): Promise<Session> {
  const email = `bench-${label}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const session = await api.mutation<Session>("auth.register", { email, password: "bench-password-1234", name: "Bench" });
  api.authenticate(session.accessToken);
  return session;
}
