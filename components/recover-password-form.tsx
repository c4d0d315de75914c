"use client";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { FormField } from "./form-field";
import { Email } from "@/lib/schemas";
import { ApiError, publicJson } from "@/lib/client/api";

/** "Forgot password?": asks for a reset link. The answer is the server's, the same whatever the address. */
export function RecoverPasswordForm() {
  const [error, setError] = useState<string | undefined>();
  const [sent, setSent] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = Email.safeParse(String(new FormData(event.currentTarget).get("email") ?? ""));
    if (!checked.success) {
      setError(checked.error.issues[0]?.message ?? "Enter a valid email address");
      return;
    }
    setPending(true);
    setError(undefined);
    try {
      const body = await publicJson<{ message: string }>(`/api/v1/password-recovery/${encodeURIComponent(checked.data)}`, {
        method: "POST",
      });
      setSent(body.message);
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 422) setError(failure.fieldErrors().email ?? failure.message);
      else setError(failure instanceof Error ? failure.message : "The request failed. Please try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="card narrow">
      <h1>Forgot your password?</h1>
      {sent ? (
        <p className="notice" role="status">
          {sent}. It works for a short while; check your spam folder too.
        </p>
      ) : (
        <>
          <p className="muted">Enter your account&apos;s email address and we will mail you a link to choose a new password.</p>
          <form method="post" onSubmit={onSubmit} noValidate>
            <FormField label="Email" name="email" type="email" autoComplete="username" required autoFocus error={error} />
            <button type="submit" className="button primary" disabled={pending}>
              {pending ? "Sending…" : "Send me a reset link"}
            </button>
          </form>
        </>
      )}
      <p className="muted small-print">
        Remembered it? <Link href="/login">Sign in</Link>
      </p>
    </div>
  );
}
