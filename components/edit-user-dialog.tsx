"use client";
/** The admin's "Edit": sends only what changed; a new password signs the user out everywhere. */
import type { FormEvent } from "react";
import { FormError } from "./form-error";
import { DialogActions } from "./dialog-actions";
import { Modal } from "./modal";
import { backToRow, type RowDialogProps } from "./user-row-menu";
import { readUserFields, UserFields } from "./user-fields";
import { apiJson } from "@/lib/client/api";
import { emailTakenErrors } from "@/lib/client/messages";
import { useForm } from "@/lib/client/use-form";

export function EditUserDialog({
  user,
  isSelf,
  onClose,
  onDone,
}: RowDialogProps & { isSelf: boolean }) {
  const { errors, pending, submit } = useForm();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = readUserFields(new FormData(event.currentTarget), "edit");
    const changes: Record<string, unknown> = {};
    if (input.email.toLowerCase() !== user.email) changes.email = input.email;
    if (input.full_name !== user.full_name) changes.full_name = input.full_name;
    if (input.password) changes.password = input.password;
    if (input.is_superuser !== user.is_superuser) changes.is_superuser = input.is_superuser;
    if (input.is_active !== user.is_active) changes.is_active = input.is_active;
    if (Object.keys(changes).length === 0) {
      onClose();
      return;
    }
    await submit(
      async () => {
        await apiJson(`/api/v1/users/${encodeURIComponent(user.id)}`, { method: "PATCH", body: JSON.stringify(changes) });
        onClose();
        onDone(`Saved ${input.email || user.email}.`);
      },
      { errorsOf: emailTakenErrors },
    );
  }

  return (
    <Modal open onOpenChange={(o) => !o && onClose()} title={`Edit ${user.email}`} returnFocus={backToRow(user)}>
      <form onSubmit={onSubmit} noValidate>
        <UserFields prefix="edit" user={user} errors={errors} />
        {isSelf && (
          <p className="hint" style={{ marginBottom: "1rem" }}>
            This is your own account: the server refuses to deactivate you or remove your superuser role (another
            superuser can), and never leaves the system without an active superuser.
          </p>
        )}
        <FormError message={errors.form} />
        <DialogActions label="Save changes" pendingLabel="Saving…" pending={pending} />
      </form>
    </Modal>
  );
}
