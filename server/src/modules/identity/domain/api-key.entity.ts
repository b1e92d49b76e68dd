import type { ApiKeyScope } from "./roles.js";

export interface ApiKeyState {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Last-use timestamps are written at most this often, so a busy key is not a write per request. */
export const API_KEY_LAST_USED_GRANULARITY_MS = 60_000;

export class ApiKey {
  private constructor(private readonly state: ApiKeyState) {}

  static rehydrate(state: ApiKeyState): ApiKey {
    return new ApiKey({ ...state, scopes: [...state.scopes] });
  }

  get id(): string {
    return this.state.id;
  }
  get userId(): string {
    return this.state.userId;
  }
  get scopes(): readonly ApiKeyScope[] {
    return this.state.scopes;
  }
  get isRevoked(): boolean {
    return this.state.revokedAt !== null;
  }

  allows(scope: ApiKeyScope): boolean {
    return !this.isRevoked && this.state.scopes.includes(scope);
  }

  needsLastUsedUpdate(now: Date): boolean {
    const last = this.state.lastUsedAt;
    return !last || now.getTime() - last.getTime() >= API_KEY_LAST_USED_GRANULARITY_MS;
  }

  toState(): Readonly<ApiKeyState> {
    return { ...this.state, scopes: [...this.state.scopes] };
  }
}
