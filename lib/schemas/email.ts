/** The mailed links' requests: password recovery and reset, email verification, email change confirmation, the test email. */
import { z } from "zod";
import { Email, LinkToken, NewPasswordText } from "./fields";

export const NewPassword = z
  .object({ token: LinkToken, new_password: NewPasswordText })
  .meta({ id: "NewPassword", description: "A password reset (or invitation) link's token and the new password." });

export const VerifyEmail = z
  .object({ token: LinkToken })
  .meta({ id: "VerifyEmail", description: "An email verification link's token." });

export const EmailChangeToken = z
  .object({ token: LinkToken })
  .meta({ id: "EmailChangeToken", description: "The token of an email change's confirmation or cancel link." });

/** The address in `/password-recovery/{email}`. */
export const RecoveryPath = z.object({ email: Email });

/** `?email_to=` of the test email. */
export const TestEmailQuery = z.object({ email_to: Email });

export type NewPasswordInput = z.output<typeof NewPassword>;
