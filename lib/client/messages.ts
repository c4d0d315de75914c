/**
 * What the pages say for API answers whose `detail` is not written for them. The API keeps the FastAPI
 * template's exact `detail` text (its clients compare it); the pages say it as a sentence.
 */

/** A 409 on sign-up, a new user or an email change: the address belongs to another account. */
export const EMAIL_TAKEN = "An account with this email already exists.";
