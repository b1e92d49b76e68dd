import { DomainError } from "../../../shared/domain/domain-error.js";
import { ErrorCodes } from "../../../shared/domain/error-codes.js";

export const IdentityErrors = {
  emailTaken: () => new DomainError(ErrorCodes.EMAIL_TAKEN, "CONFLICT", "An account with this email already exists"),
  invalidEmail: () => new DomainError(ErrorCodes.VALIDATION_FAILED, "BAD_REQUEST", "Invalid email address", { field: "email" }),
  passwordTooWeak: (reason: string) => new DomainError(ErrorCodes.PASSWORD_TOO_WEAK, "BAD_REQUEST", reason),
  invalidCredentials: () => new DomainError(ErrorCodes.INVALID_CREDENTIALS, "UNAUTHENTICATED", "Invalid email or password"),
  userDisabled: () => new DomainError(ErrorCodes.USER_DISABLED, "FORBIDDEN", "This account is disabled"),
  userNotFound: () => new DomainError(ErrorCodes.USER_NOT_FOUND, "NOT_FOUND", "User not found"),
  invalidAccessToken: () =>
    new DomainError(ErrorCodes.INVALID_ACCESS_TOKEN, "UNAUTHENTICATED", "Invalid or expired access token"),
  invalidRefreshToken: () =>
    new DomainError(ErrorCodes.INVALID_REFRESH_TOKEN, "UNAUTHENTICATED", "Invalid or expired refresh token"),
  refreshTokenReused: () =>
    new DomainError(
      ErrorCodes.REFRESH_TOKEN_REUSED,
      "UNAUTHENTICATED",
      "Refresh token was already used; the session has been revoked",
    ),
  invalidApiKey: () => new DomainError(ErrorCodes.INVALID_API_KEY, "UNAUTHENTICATED", "Invalid or revoked API key"),
  apiKeyNotFound: () => new DomainError(ErrorCodes.API_KEY_NOT_FOUND, "NOT_FOUND", "API key not found"),
  apiKeyScopeMissing: (scope: string) =>
    new DomainError(ErrorCodes.API_KEY_SCOPE_MISSING, "FORBIDDEN", `This API key lacks the '${scope}' scope`, { scope }),
  apiKeyNotAllowed: () =>
    new DomainError(ErrorCodes.API_KEY_NOT_ALLOWED, "FORBIDDEN", "API keys cannot call this procedure; sign in as the user"),
  adminRequired: () => new DomainError(ErrorCodes.ADMIN_REQUIRED, "FORBIDDEN", "Administrator role required"),
  cannotChangeOwnAdminStatus: () =>
    new DomainError(
      ErrorCodes.CANNOT_CHANGE_OWN_ADMIN_STATUS,
      "BUSINESS_RULE",
      "Administrators cannot demote or disable themselves",
    ),
};
