"use client";
import Link from "next/link";
import type { FormEvent } from "react";
import { signIn } from "next-auth/react";
import { FormField } from "./form-field";
import { Signup } from "@/lib/schemas";
import { publicJson } from "@/lib/client/api";
import { mintFromSession } from "@/lib/client/token-store";
import { safeNext } from "@/lib/client/navigation";
import { PASSWORD_RULES } from "./password-rules";
import { emailTakenErrors } from "@/lib/client/messages";
import { useForm } from "@/lib/client/use-form";
import { FormError } from "./form-error";

export function SignupForm({ next }: { next?: string }) {
  const { errors, pending, check, submit } = useForm();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      full_name: String(form.get("full_name") ?? "").trim() || undefined,
    };
    // The same schema the server validates with, for instant feedback.
    if (!check(Signup, input)) return;
    const created = await submit(
      () => publicJson("/api/v1/users/signup", { method: "POST", body: JSON.stringify(input) }),
      { errorsOf: emailTakenErrors, keepPending: true },
    );
    if (!created) return;
    const result = await signIn("credentials", { email: input.email, password: input.password, redirect: false });
    const minted = result && !result.error ? await mintFromSession() : null;
    if (!minted?.ok) {
      window.location.assign("/login");
      return;
    }
    window.location.assign(safeNext(next, window.location.origin));
  }

  return (
    <div className="card narrow">
      <h1>Create an account</h1>
      <form method="post" onSubmit={onSubmit} noValidate>
        <FormField label="Email" name="email" type="email" autoComplete="email" required autoFocus error={errors.email} />
        <FormField label="Full name (optional)" name="full_name" type="text" autoComplete="name" error={errors.full_name} />
        <FormField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          error={errors.password}
          hint={PASSWORD_RULES}
        />
        <FormError message={errors.form} />
        <button type="submit" className="button primary" disabled={pending}>
          {pending ? "Creating account…" : "Sign up"}
        </button>
      </form>
      <p className="muted small-print">
        Already have an account? <Link href="/login">Sign in</Link>
      </p>
    </div>
  );
}
