"use client";
import { useState, type FormEvent } from "react";
import { FormField } from "./form-field";
import { useAuth } from "./auth-provider";
import type { UserPublicT } from "@/lib/schemas";
import { UpdateMe } from "@/lib/schemas";
import { apiJson } from "@/lib/client/api";
import { useReauth } from "./reauth-provider";
import { FormSuccess } from "./form-success";
import { FormError } from "./form-error";
import { emailTakenErrors } from "@/lib/client/messages";
import { useForm } from "@/lib/client/use-form";

/** The user's own name and email, with the server's answer said where it applies. */
export function ProfileForm({ user }: { user: UserPublicT }) {
  const auth = useAuth();
  const withReauth = useReauth();
  const { errors, pending, check, submit } = useForm();
  const [done, setDone] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input: { full_name: string | null; email?: string } = {
      full_name: String(form.get("full_name") ?? "").trim() || null,
    };
    const email = String(form.get("email") ?? "").trim();
    if (email.toLowerCase() !== user.email) input.email = email;
    setDone(null);
    if (!check(UpdateMe, input)) return;
    await submit(
      async () => {
        // An email change needs the password again (asked for in a dialog) and then waits for the new
        // address to confirm it: the answer is a message, not the user.
        const answer = await withReauth(() =>
          apiJson<UserPublicT | { message: string }>("/api/v1/users/me", { method: "PATCH", body: JSON.stringify(input) }),
        );
        setDone("message" in answer ? answer.message : "Profile saved.");
        await auth.reload();
      },
      { errorsOf: emailTakenErrors },
    );
  }

  return (
    <section className="card" aria-labelledby="profile-form-heading">
      <h2 id="profile-form-heading">Profile</h2>
      {/* Keyed by the saved values, so the fields start from them again after a save; the status below
          lives outside it, so "Profile saved." stays when the reloaded user re-renders the fields. */}
      <form key={`${user.email}:${user.full_name}`} method="post" onSubmit={onSubmit} noValidate>
        <div className="form-row">
          <FormField
            label="Full name"
            name="full_name"
            type="text"
            autoComplete="name"
            defaultValue={user.full_name ?? ""}
            error={errors.full_name}
          />
          <FormField
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            required
            defaultValue={user.email}
            error={errors.email}
          />
        </div>
        <FormError message={errors.form} />
        <button type="submit" className="button" disabled={pending}>
          {pending ? "Saving…" : "Save profile"}
        </button>
      </form>
      <FormSuccess message={done} />
    </section>
  );
}
