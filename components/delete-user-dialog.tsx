"use client";
/** The admin's "Delete": the account, its sessions and linked sign-in methods go for good. */
import { ConfirmDialog } from "./confirm-dialog";
import { backToRow, type RowDialogProps } from "./user-row-menu";
import { apiJson } from "@/lib/client/api";

export function DeleteUserDialog({ user, onClose, onDone }: RowDialogProps) {
  async function remove() {
    await apiJson(`/api/v1/users/${encodeURIComponent(user.id)}`, { method: "DELETE" });
    onClose();
    onDone(`Deleted ${user.email}.`);
  }

  return (
    <ConfirmDialog
      onOpenChange={(o) => !o && onClose()}
      title={`Delete ${user.email}?`}
      returnFocus={backToRow(user)}
      description={
        <>
          The account <strong>{user.email}</strong>
          {user.full_name && <> ({user.full_name})</>}, its sessions and its linked sign-in methods are deleted for good.
          Deactivating it instead keeps it and can be undone.
        </>
      }
      label={`Delete ${user.email}`}
      pendingLabel="Deleting…"
      onConfirm={remove}
    />
  );
}
