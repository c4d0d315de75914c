"use client";
/** The admin's "Delete": the account, its sessions and linked sign-in methods go for good. */
import { FormError } from "./form-error";
import { Modal, ModalClose } from "./modal";
import { backToRow } from "./user-row-menu";
import type { UserListItemT } from "@/lib/schemas";
import { apiJson } from "@/lib/client/api";
import { useForm } from "@/lib/client/use-form";

export function DeleteUserDialog({
  user,
  onClose,
  onDone,
}: {
  user: UserListItemT;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const { errors, pending, submit } = useForm();

  async function remove() {
    await submit(
      async () => {
        await apiJson(`/api/v1/users/${encodeURIComponent(user.id)}`, { method: "DELETE" });
        onClose();
        onDone(`Deleted ${user.email}.`);
      },
      { keepPending: true },
    );
  }

  return (
    <Modal
      open
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
    >
      <FormError message={errors.form} />
      <div className="actions">
        <button type="button" className="button danger solid" disabled={pending} onClick={() => void remove()}>
          {pending ? "Deleting…" : `Delete ${user.email}`}
        </button>
        <ModalClose>Cancel</ModalClose>
      </div>
    </Modal>
  );
}
