"use client";
import { useState, type FormEvent } from "react";
import { FormField } from "./form-field";
import { UpdatePassword } from "@/lib/schemas";
import { apiJson, ApiError } from "@/lib/client/api";
import { apiErrors, useForm } from "@/lib/client/use-form";
import { FormSuccess } from "./form-success";
import { PASSWORD_RULES } from "./password-rules";

/** What a password change did to the other sessions, said naturally. */
function otherSessionsSignedOut(revoked: number): string {
  if (revoked === 0) return "No other session was signed in.";
  return `${revoked} other session${revoked === 1 ? " was" : "s were"} signed out.`;
}

/** A refused password change is about the current password, the only one the server checks. */
const passwordErrors = (error: unknown) =>
  error instanceof ApiError && error.status !== 422 ? { current_password: error.message } : apiErrors(error);

export function ChangePasswordForm({ onChanged }: { onChanged: () => void }) {
  const { errors, pending, check, submit } = useForm();
  const [done, setDone] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const input = {
      current_password: String(form.get("current_password") ?? ""),
      new_password: String(form.get("new_password") ?? ""),
    };
    setDone(null);
    if (!check(UpdatePassword, input)) return;
    await submit(
      async () => {
        const result = await apiJson<{ revoked: number; linked_accounts?: unknown[] }>("/api/v1/users/me/password", {
          method: "PATCH",
          body: JSON.stringify(input),
        });
        formElement.reset();
        const linked = result.linked_accounts?.length ?? 0;
        setDone(
          `Password changed. ${otherSessionsSignedOut(result.revoked)}` +
            (linked
              ? ` ${linked} linked sign-in method${linked === 1 ? " still signs" : "s still sign"} in without the password: see Linked sign-in methods on your profile.`
              : ""),
        );
        onChanged();
      },
      { errorsOf: passwordErrors },
    );
  }

  return (
    <section className="card" aria-labelledby="password-heading">
      <h2 id="password-heading">Change password</h2>
      <form method="post" onSubmit={onSubmit} noValidate>
        <FormField
          label="Current password"
          name="current_password"
          type="password"
          autoComplete="current-password"
          error={errors.current_password}
        />
        <FormField
          label="New password"
          name="new_password"
          type="password"
          autoComplete="new-password"
          error={errors.new_password}
          hint={PASSWORD_RULES}
        />
        <button type="submit" className="button" disabled={pending}>
          {pending ? "Changing…" : "Change password"}
        </button>
      </form>
      <FormSuccess message={done} />
    </section>
  );
}
