/**
 * MFA_REQUIRED=superusers|all: the accounts it covers must have a second factor. Such an account without
 * one still signs in (its password or provider is all it has), but until it enrols every authenticated
 * endpoint answers 403 `{"detail": "Set up two-factor authentication first", "reason":
 * "mfa_enrolment_required"}`, except the few an enrolment needs (declared `beforeEnrolment`: reading
 * itself, the second-factor status and enrolment, re-authentication, signing out). A token obtained before
 * the rule was switched on is held to it too: the check is on use, not on issue.
 */
import type { User } from "@prisma/client";
import { getConfig } from "../config";
import { errors } from "../http/errors";
import { hasSecondFactor } from "./second-factor-check";

/** Whether MFA_REQUIRED covers this account. */
export function mfaRequiredFor(user: Pick<User, "isSuperuser">): boolean {
  const rule = getConfig().mfaRequired;
  return rule === "all" || (rule === "superusers" && user.isSuperuser);
}

/** 403 `mfa_enrolment_required` for an account MFA_REQUIRED covers that has no second factor. */
export async function requireEnrolmentIfRequired(user: Pick<User, "id" | "isSuperuser">): Promise<void> {
  if (mfaRequiredFor(user) && !(await hasSecondFactor(user.id))) throw errors.mfaEnrolmentRequired();
}
