"use client";
/** One user's live sessions, for the admin, each with a revoke button. */
import { useState } from "react";
import { FormError } from "./form-error";
import { SessionItem } from "./session-item";
import { Modal, ModalClose } from "./modal";
import { backToRow } from "./user-row-menu";
import type { SessionPublicT, UserListItemT } from "@/lib/schemas";
import { apiJson, ApiError } from "@/lib/client/api";
import { useApiList } from "@/lib/client/use-api-list";

export function UserSessionsDialog({ user, onClose }: { user: UserListItemT; onClose: () => void }) {
  const path = `/api/v1/users/${encodeURIComponent(user.id)}/sessions`;
  const [version, setVersion] = useState(0);
  const { items: sessions, error, setError } = useApiList<SessionPublicT>(path, String(version));

  async function revoke(id: string) {
    setError(null);
    try {
      await apiJson(`${path}/${encodeURIComponent(id)}`, { method: "DELETE" });
    } catch (e) {
      if (e instanceof ApiError) setError(e.message);
    }
    setVersion((v) => v + 1);
  }

  return (
    <Modal
      open
      onOpenChange={(o) => !o && onClose()}
      title={`Sessions of ${user.email}`}
      wide
      returnFocus={backToRow(user)}
    >
      <div aria-live="polite">
        <FormError message={error} />
      </div>
      {!sessions && !error && <p className="muted">Loading sessions…</p>}
      {sessions && sessions.length === 0 && <p className="empty">No live sessions: this user is signed in nowhere.</p>}
      {sessions && sessions.length > 0 && (
        <ul className="sessions" data-testid="user-sessions">
          {sessions.map((s) => (
            <SessionItem key={s.id} session={s} onRevoke={(id) => void revoke(id)} />
          ))}
        </ul>
      )}
      <div className="actions">
        <ModalClose>Close</ModalClose>
      </div>
    </Modal>
  );
}
