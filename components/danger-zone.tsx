"use client";
import { useState } from "react";
import { PasswordDialog, type Proof } from "./password-dialog";
import type { UserPublicT } from "@/lib/schemas";
import { apiJson } from "@/lib/client/api";
import { signOut } from "@/lib/client/token-store";

/**
 * Deleting one's own account, after typing the password again (or a code, with two-factor authentication
 * on). Superusers cannot (as in the template).
 */
export function DangerZone({ user }: { user: UserPublicT }) {
  const [open, setOpen] = useState(false);

  async function deleteAccount(proof: Proof) {
    await apiJson("/api/v1/users/me", { method: "DELETE", body: JSON.stringify(proof) });
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
      <PasswordDialog
        open={open}
        onOpenChange={setOpen}
        title="Delete your account?"
        description={
          <>
            <strong>{user.email}</strong> and everything attached to it will be deleted. Type your password to confirm.
          </>
        }
        name="delete_password"
        emptyMessage="Type your password to confirm."
        label="Delete my account"
        pendingLabel="Deleting…"
        className="button danger solid"
        acceptCodes
        onConfirm={deleteAccount}
      />
    </section>
  );
}
