import { IdentityErrors } from "./identity.errors.js";

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Emails compare case-insensitively, so the canonical form is trimmed and lower-case. */
export class Email {
  private constructor(readonly value: string) {}

  static parse(raw: string): Email {
    const normalized = raw.trim().toLowerCase();
    if (normalized.length > 254 || !EMAIL_SHAPE.test(normalized)) throw IdentityErrors.invalidEmail();
    return new Email(normalized);
  }

  toString(): string {
    return this.value;
  }
}
