"use client";
/** The admin's confirmation before deactivating (or reactivating) a user: neither is a one-click surprise. */
import { FormError } from "./form-error";
import { Modal, ModalClose } from "./modal";
import { backToRow } from "./user-row-menu";
import type { UserListItemT } from "@/lib/schemas";
import { apiJson } from "@/lib/client/api";
import { useForm } from "@/lib/client/use-form";

export function SetActiveDialog({
  user,
  onClose,
  onDone,
}: {
  user: UserListItemT;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const activate = !user.is_active;
  const { errors, pending, submit } = useForm();

  async function confirm() {
    await submit(
      async () => {
        await apiJson(`/api/v1/users/${encodeURIComponent(user.id)}`, {
          method: "PATCH",
          body: JSON.stringify({ is_active: activate }),
        });
        onClose();
        onDone(
          activate
            ? `Reactivated ${user.email}: they can sign in again.`
            : `Deactivated ${user.email}: every session of theirs has ended.`,
        );
      },
      { keepPending: true },
    );
  }

  return (
    <Modal
      open
      onOpenChange={(o) => !o && onClose()}
      title={`${activate ? "Reactivate" : "Deactivate"} ${user.email}?`}
      returnFocus={backToRow(user)}
      description={
        activate ? (
          <>
            <strong>{user.email}</strong> can sign in again. The sessions that ended when the account was deactivated stay
            ended: they sign in anew.
          </>
        ) : (
          <>
            <strong>{user.email}</strong> is signed out of every browser and API client at once and cannot sign in until
            reactivated. The account and its data stay.
          </>
        )
      }
    >
      <FormError message={errors.form} />
      <div className="actions">
        <button
          type="button"
          className={activate ? "button primary" : "button danger solid"}
          disabled={pending}
          onClick={() => void confirm()}
        >
          {pending ? "Saving…" : `${activate ? "Reactivate" : "Deactivate"} ${user.email}`}
        </button>
        <ModalClose>Cancel</ModalClose>
      </div>
    </Modal>
  );
}
