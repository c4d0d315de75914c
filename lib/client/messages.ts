/**
 * What the pages say for API answers whose `detail` is not written for them. The API keeps the FastAPI
 * template's exact `detail` text (its clients compare it); the pages say it as a sentence.
 */
import { ApiError } from "./api";
import { apiErrors, type FormErrors } from "./use-form";

/** A 409 on sign-up, a new user or an email change: the address belongs to another account. */
export const EMAIL_TAKEN = "An account with this email already exists.";

/**
 * Whether an error says the email belongs to another account: a 409 about the email, or the 400 that
 * API_COMPAT=fastapi-template answers sign-up and user creation with instead (the same `detail`).
 */
const isEmailTaken = (error: ApiError) =>
  (error.status === 409 && /email/i.test(error.message)) || (error.status === 400 && /email already exists/i.test(error.message));

/** A form's errors (`apiErrors`), with an email taken said under the email field. */
export const emailTakenErrors = (error: unknown): FormErrors | null =>
  error instanceof ApiError && isEmailTaken(error) ? { email: EMAIL_TAKEN } : apiErrors(error);
