"use client";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { FormField } from "./form-field";
import { Email } from "@/lib/schemas";
import { publicJson } from "@/lib/client/api";
import { useForm } from "@/lib/client/use-form";

/** "Forgot password?": asks for a reset link. The answer is the server's, the same whatever the address. */
export function RecoverPasswordForm() {
  const { errors, pending, check, submit } = useForm();
  const [sent, setSent] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = check(Email, String(new FormData(event.currentTarget).get("email") ?? ""), "email");
    if (!email) return;
    await submit(async () => {
      const body = await publicJson<{ message: string }>(`/api/v1/password-recovery/${encodeURIComponent(email)}`, {
        method: "POST",
      });
      setSent(body.message);
    });
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
            <FormField label="Email" name="email" type="email" autoComplete="username" required autoFocus error={errors.email ?? errors.form} />
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
