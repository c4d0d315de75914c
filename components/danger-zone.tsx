"use client";
import { useState, type FormEvent } from "react";
import { passwordErrors, useForm } from "@/lib/client/use-form";
import { FormField } from "./form-field";
import { Modal, ModalClose } from "./modal";
import type { UserPublicT } from "@/lib/schemas";
import { apiJson } from "@/lib/client/api";
import { signOut } from "@/lib/client/token-store";

/** Deleting one's own account, after typing the password again. Superusers cannot (as in the template). */
export function DangerZone({ user }: { user: UserPublicT }) {
  const [open, setOpen] = useState(false);
  const { errors, setErrors, pending, submit, fail } = useForm();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("delete_password") ?? "");
    if (!password) {
      fail("Type your password to confirm.");
      return;
    }
    const deleted = await submit(() => apiJson("/api/v1/users/me", { method: "DELETE", body: JSON.stringify({ password }) }), {
      errorsOf: passwordErrors,
      keepPending: true,
    });
    if (!deleted) return;
    await signOut();
    window.location.assign("/login?reason=deleted");
  }

  return (
    <section className="card danger-zone" aria-labelledby="danger-heading">
      <h2 id="danger-heading">Danger zone</h2>
      {user.is_superuser ? (
        <p className="muted">
          Superusers cannot delete their own account. Another superuser can remove your superuser role first, then
          delete the account from the admin page.
        </p>
      ) : (
        <>
          <p className="muted">
            Deleting your account removes it and signs out every browser and token at once. This cannot be undone.
          </p>
          <button type="button" className="button danger" onClick={() => setOpen(true)}>
            Delete my account
          </button>
        </>
      )}
      <Modal
        open={open}
        onOpenChange={(next) => {
          setOpen(next);
          setErrors({});
        }}
        title="Delete your account?"
        description={
          <>
            <strong>{user.email}</strong> and everything attached to it will be deleted. Type your password to confirm.
          </>
        }
      >
        <form onSubmit={onSubmit} noValidate>
          <FormField
            label="Password"
            name="delete_password"
            type="password"
            autoComplete="current-password"
            error={errors.password ?? errors.form}
          />
          <div className="actions">
            <button type="submit" className="button danger solid" disabled={pending}>
              {pending ? "Deleting…" : "Delete my account"}
            </button>
            <ModalClose>Cancel</ModalClose>
          </div>
        </form>
      </Modal>
    </section>
  );
}
