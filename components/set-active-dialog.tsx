"use client";
/** The admin's confirmation before deactivating (or reactivating) a user: neither is a one-click surprise. */
import { useState } from "react";
import { Modal, ModalClose } from "./modal";
import { rowMenuId } from "./user-dialogs";
import type { UserListItemT } from "@/lib/schemas";
import { apiJson, ApiError } from "@/lib/client/api";

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
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function confirm() {
    setPending(true);
    try {
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
    } catch (e) {
      if (e instanceof ApiError) setError(e.message);
      setPending(false);
    }
  }

  return (
    <Modal
      open
      onOpenChange={(o) => !o && onClose()}
      title={`${activate ? "Reactivate" : "Deactivate"} ${user.email}?`}
      returnFocus={() => document.getElementById(rowMenuId(user))}
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
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
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
