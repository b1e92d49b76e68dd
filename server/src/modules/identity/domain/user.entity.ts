import { newId } from "../../../shared/domain/ids.js";
import type { Email } from "./email.vo.js";
import { IdentityErrors } from "./identity.errors.js";
import type { Role, Tier } from "../../../shared/domain/roles.js";

export interface UserState {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  tier: Tier;
  passwordHash: string;
  disabled: boolean;
  /** The stored row's version this state was loaded at; a save succeeds only if it is still current. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export class User {
  private constructor(private state: UserState) {}

  static create(props: { email: Email; name?: string | null; passwordHash: string; now: Date; role?: Role; tier?: Tier }): User {
    return new User({
      id: newId(),
      email: props.email.value,
      name: normalizeName(props.name),
      role: props.role ?? "USER",
      tier: props.tier ?? "FREE",
      passwordHash: props.passwordHash,
      disabled: false,
      version: 1,
      createdAt: props.now,
      updatedAt: props.now,
    });
  }

  static rehydrate(state: UserState): User {
    return new User({ ...state });
  }

  get id(): string {
    return this.state.id;
  }
  get email(): string {
    return this.state.email;
  }
  get name(): string | null {
    return this.state.name;
  }
  get role(): Role {
    return this.state.role;
  }
  get tier(): Tier {
    return this.state.tier;
  }
  get passwordHash(): string {
    return this.state.passwordHash;
  }
  get disabled(): boolean {
    return this.state.disabled;
  }
  get isAdmin(): boolean {
    return this.state.role === "ADMIN";
  }

  /** Disabled accounts are refused everywhere, whatever credential they present. */
  assertActive(): void {
    if (this.state.disabled) throw IdentityErrors.userDisabled();
  }

  rename(name: string | null, now: Date): void {
    this.touch({ name: normalizeName(name) }, now);
  }

  changePasswordHash(passwordHash: string, now: Date): void {
    this.touch({ passwordHash }, now);
  }

  changeRole(role: Role, by: User, now: Date): void {
    if (by.id === this.id && role !== "ADMIN") throw IdentityErrors.cannotChangeOwnAdminStatus();
    this.touch({ role }, now);
  }

  changeTier(tier: Tier, now: Date): void {
    this.touch({ tier }, now);
  }

  setDisabled(disabled: boolean, by: User, now: Date): void {
    if (by.id === this.id && disabled) throw IdentityErrors.cannotChangeOwnAdminStatus();
    this.touch({ disabled }, now);
  }

  /**
   * The repository calls this after a conditional save succeeded: the row is one version ahead
   * now, and so is this instance, so saving it again does not look like someone else's write.
   */
  markSaved(): void {
    this.state = { ...this.state, version: this.state.version + 1 };
  }

  toState(): Readonly<UserState> {
    return { ...this.state };
  }

  private touch(change: Partial<UserState>, now: Date): void {
    this.state = { ...this.state, ...change, updatedAt: now };
  }
}

function normalizeName(name: string | null | undefined): string | null {
  const trimmed = name?.trim();
  return trimmed ? trimmed : null;
}
