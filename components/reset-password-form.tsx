"use client";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { FormField } from "./form-field";
import { NewPasswordText } from "@/lib/schemas";
import { ApiError, publicJson } from "@/lib/client/api";
import { apiErrors, useForm } from "@/lib/client/use-form";
import { PASSWORD_RULES } from "./password-rules";
import { FormError } from "./form-error";

/** Why the link itself cannot set a password (then the page offers a new link instead of the form). */
function linkProblem(failure: unknown): string | null {
  if (!(failure instanceof ApiError)) return null;
  if (failure.status === 422 && !failure.fieldErrors().new_password) return "This link is not valid.";
  if (failure.status !== 400) return null;
  return failure.message === "Inactive user"
    ? "This account is inactive."
    : "This link has expired, was already used, or was replaced by a newer one.";
}

/** The page a reset (or invitation) link opens: a new password, then the sign-in page says it worked. */
export function ResetPasswordForm({ token }: { token: string | undefined }) {
  const { errors, pending, check, submit, fail } = useForm();
  const [linkError, setLinkError] = useState<string | null>(token ? null : "This link is incomplete: it carries no token.");

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get("new_password") ?? "");
    if (!check(NewPasswordText, password, "new_password")) return;
    if (password !== String(form.get("confirm_password") ?? "")) {
      fail("The two passwords differ", "new_password");
      return;
    }
    await submit(
      async () => {
        await publicJson("/api/v1/reset-password/", { method: "POST", body: JSON.stringify({ token, new_password: password }) });
        window.location.assign("/login?reset=1");
      },
      {
        keepPending: true,
        errorsOf: (failure) => {
          const problem = linkProblem(failure);
          if (!problem) return apiErrors(failure);
          setLinkError(problem);
          return null;
        },
      },
    );
  }

  return (
    <div className="card narrow">
      <h1>Choose a new password</h1>
      {linkError ? (
        <>
          <FormError message={linkError} />
          <p>
            <Link href="/recover-password">Ask for a new link</Link>
          </p>
        </>
      ) : (
        <form method="post" onSubmit={onSubmit} noValidate>
          {/* For password managers: the account the new password belongs to is not known here. */}
          <FormField
            label="New password"
            name="new_password"
            type="password"
            autoComplete="new-password"
            required
            autoFocus
            error={errors.new_password ?? errors.form}
            hint={PASSWORD_RULES}
          />
          <FormField label="Repeat the new password" name="confirm_password" type="password" autoComplete="new-password" required />
          <button type="submit" className="button primary" disabled={pending}>
            {pending ? "Saving…" : "Set password"}
          </button>
        </form>
      )}
    </div>
  );
}
