"use client";
/** The admin's confirmation before deactivating (or reactivating) a user: neither is a one-click surprise. */
import { ConfirmDialog } from "./confirm-dialog";
import { backToRow, type RowDialogProps } from "./user-row-menu";
import { apiJson } from "@/lib/client/api";

export function SetActiveDialog({ user, onClose, onDone }: RowDialogProps) {
  const activate = !user.is_active;

  async function confirm() {
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
  }

  return (
    <ConfirmDialog
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
      label={`${activate ? "Reactivate" : "Deactivate"} ${user.email}`}
      pendingLabel="Saving…"
      className={activate ? "button primary" : "button danger solid"}
      onConfirm={confirm}
    />
  );
}
