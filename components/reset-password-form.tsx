"use client";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { FormField } from "./form-field";
import { NewPasswordText } from "@/lib/schemas";
import { ApiError, publicJson } from "@/lib/client/api";
import { PASSWORD_RULES } from "./password-rules";

/** The page a reset (or invitation) link opens: a new password, then the sign-in page says it worked. */
export function ResetPasswordForm({ token }: { token: string | undefined }) {
  const [error, setError] = useState<string | undefined>();
  const [linkError, setLinkError] = useState<string | null>(token ? null : "This link is incomplete: it carries no token.");
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get("new_password") ?? "");
    const checked = NewPasswordText.safeParse(password);
    if (!checked.success) {
      setError(checked.error.issues[0]?.message);
      return;
    }
    if (password !== String(form.get("confirm_password") ?? "")) {
      setError("The two passwords differ");
      return;
    }
    setPending(true);
    setError(undefined);
    try {
      await publicJson("/api/v1/reset-password/", { method: "POST", body: JSON.stringify({ token, new_password: password }) });
      window.location.assign("/login?reset=1");
    } catch (failure) {
      setPending(false);
      if (failure instanceof ApiError && failure.status === 422) {
        const fields = failure.fieldErrors();
        if (fields.new_password) setError(fields.new_password);
        else setLinkError("This link is not valid.");
      } else if (failure instanceof ApiError && failure.status === 400) {
        setLinkError(
          failure.message === "Inactive user"
            ? "This account is inactive."
            : "This link has expired, was already used, or was replaced by a newer one.",
        );
      } else setError(failure instanceof Error ? failure.message : "The request failed. Please try again.");
    }
  }

  return (
    <div className="card narrow">
      <h1>Choose a new password</h1>
      {linkError ? (
        <>
          <p className="form-error" role="alert">
            {linkError}
          </p>
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
            error={error}
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
