/** The fields and parameters every schema is built from: text, email, passwords, ids and times, pages, path parameters. */
import { z } from "zod";
import { passwordPolicyProblem, MAX_PASSWORD_BYTES } from "./password-policy";
import { illFormedTextProblem } from "../http/well-formed-text";

/** A string that passes `illFormedTextProblem` (lib/http/well-formed-text.ts). */
export const Text = z.string().superRefine((value, ctx) => {
  const problem = illFormedTextProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: "Enter a valid email address" }))
  .meta({ example: "user@example.com" });

/**
 * Whether a submitted identifier is a syntactically valid email address (`Email`'s own check). Only
 * such an identifier is ever stored (audit trail, throttle keys): people type their password into the
 * email field.
 */
export const isEmailAddress = (identifier: string) => Email.safeParse(identifier).success;

/** A new password: the policy applies (length in characters, bcrypt's byte limit). */
export const NewPasswordText = z
  .string()
  .superRefine((value, ctx) => {
    const problem = passwordPolicyProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .meta({
    description: `8 characters or more, at most ${MAX_PASSWORD_BYTES} bytes in UTF-8, not one of the most common passwords`,
    example: "correct horse battery staple",
  });

/** A password being checked, not set: no policy, only a sanity bound. */
export const GivenPassword = z
  .string()
  .min(1, { message: "Password is required" })
  .max(1024)
  .meta({ example: "correct horse battery staple" });

export const FullName = z.string().trim().max(255).nullable().meta({ example: "Ada Lovelace" });

// Examples for the documentation (Swagger UI's Example Value and its pre-filled request bodies).
const ID_EXAMPLE = "cmb0x1y2z0000abcd1234efgh";

export const TIME_EXAMPLE = "2026-01-01T12:00:00.000Z";

export const Id = z.string().meta({ example: ID_EXAMPLE });

// Response times: the server writes them (toISOString), nothing parses them, so the format says enough
// (z.iso.datetime() would add a regular expression of several lines to every time in the docs).
export const Time = z.string().meta({ format: "date-time", example: TIME_EXAMPLE });

/** A mailed link's token, as the link carries it. */
export const LinkToken = z.string().min(1, { message: "Token is required" }).max(256).meta({ example: "pQm0Jx3n9yGd5cQh2a8vW1sZkT4rB7eL6uN0oI3fH2g" });

export const Pagination = z.object({
  skip: z.coerce.number().int().min(0).default(0).meta({ description: "How many users to skip" }),
  limit: z.coerce.number().int().min(1).max(1000).default(100).meta({ description: "How many users to return (at most 1000)" }),
});

/** Path parameters. */
export const UserIdParams = z.object({ user_id: z.string().meta({ description: "The user id", example: ID_EXAMPLE }) });

export const SessionIdParams = z.object({ id: z.string().meta({ description: "The session (token) id", example: ID_EXAMPLE }) });

export const UserSessionParams = UserIdParams.extend(SessionIdParams.shape);

export const LinkedAccountIdParams = z.object({
  id: z.string().meta({ description: "The linked account's id, `<provider>:<provider_account_id>`", example: "oidc:248289761001" }),
});

export const Message = z.object({ message: z.string().meta({ example: "Session revoked" }) }).meta({ id: "Message" });

export const Health = z.object({ status: z.literal("ok") }).meta({ id: "Health" });
