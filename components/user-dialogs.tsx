"use client";
/** The admin page's dialogs: add a user, edit one, delete one, and one user's live sessions. */
import { useState, type FormEvent } from "react";
import { FormField } from "./form-field";
import { FormError } from "./form-error";
import { Modal, ModalClose } from "./modal";
import type { SessionPublicT, UserListItemT } from "@/lib/schemas";
import { UserCreate } from "@/lib/schemas";
import { apiJson, ApiError } from "@/lib/client/api";
import { useApiList } from "@/lib/client/use-api-list";
import { emailTakenErrors } from "@/lib/client/messages";
import { useForm } from "@/lib/client/use-form";

export function AddUserDialog({ open, onOpenChange, onDone }: { open: boolean; onOpenChange: (o: boolean) => void; onDone: (message: string) => void }) {
  const { errors, setErrors, pending, check, submit } = useForm();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      email: String(form.get("new_email") ?? ""),
      full_name: String(form.get("new_full_name") ?? "").trim() || null,
      // Empty: no password, and the server mails an invitation to choose one.
      password: String(form.get("new_password") ?? "") || undefined,
      is_superuser: form.get("new_is_superuser") === "on",
      is_active: form.get("new_is_active") === "on",
    };
    if (!check(UserCreate, input)) return;
    await submit(
      async () => {
        const user = await apiJson<UserListItemT>("/api/v1/users", { method: "POST", body: JSON.stringify(input) });
        onOpenChange(false);
        onDone(input.password ? `Added ${user.email}.` : `Added ${user.email}: an invitation to choose a password was mailed.`);
      },
      { errorsOf: emailTakenErrors },
    );
  }

  return (
    <Modal
      open={open}
      onOpenChange={(o) => {
        setErrors({});
        onOpenChange(o);
      }}
      title="Add a user"
      description="Give a password (tell it to them through a safe channel), or leave it empty to mail them an invitation to choose their own."
    >
      <form onSubmit={onSubmit} noValidate>
        <FormField label="Email" name="new_email" type="email" autoComplete="off" required error={errors.email} />
        <FormField label="Full name (optional)" name="new_full_name" type="text" autoComplete="off" error={errors.full_name} />
        <FormField
          label="Password (optional)"
          name="new_password"
          type="password"
          autoComplete="new-password"
          hint="Empty: an invitation is mailed instead."
          error={errors.password}
        />
        <div className="check">
          <input id="new_is_active" name="new_is_active" type="checkbox" defaultChecked />
          <label htmlFor="new_is_active">Active (can sign in)</label>
        </div>
        <div className="check">
          <input id="new_is_superuser" name="new_is_superuser" type="checkbox" />
          <label htmlFor="new_is_superuser">Superuser (can manage users)</label>
        </div>
        <FormError message={errors.form ?? errors.is_active ?? errors.is_superuser} />
        <div className="actions">
          <button type="submit" className="button primary" disabled={pending}>
            {pending ? "Adding…" : "Add user"}
          </button>
          <ModalClose>Cancel</ModalClose>
        </div>
      </form>
    </Modal>
  );
}

/** The row's "Actions for …" button, where focus goes back when a dialog opened from its menu closes. */
export const rowMenuId = (user: UserListItemT) => `actions-${user.id}`;
const backToRow = (user: UserListItemT) => () => document.getElementById(rowMenuId(user));

export function EditUserDialog({
  user,
  isSelf,
  onClose,
  onDone,
}: {
  user: UserListItemT;
  isSelf: boolean;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const { errors, pending, submit } = useForm();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const changes: Record<string, unknown> = {};
    const email = String(form.get("edit_email") ?? "").trim();
    const fullName = String(form.get("edit_full_name") ?? "").trim() || null;
    const password = String(form.get("edit_password") ?? "");
    const isSuperuser = form.get("edit_is_superuser") === "on";
    const isActive = form.get("edit_is_active") === "on";
    if (email.toLowerCase() !== user.email) changes.email = email;
    if (fullName !== user.full_name) changes.full_name = fullName;
    if (password) changes.password = password;
    if (isSuperuser !== user.is_superuser) changes.is_superuser = isSuperuser;
    if (isActive !== user.is_active) changes.is_active = isActive;
    if (Object.keys(changes).length === 0) {
      onClose();
      return;
    }
    await submit(
      async () => {
        await apiJson(`/api/v1/users/${encodeURIComponent(user.id)}`, { method: "PATCH", body: JSON.stringify(changes) });
        onClose();
        onDone(`Saved ${email || user.email}.`);
      },
      { errorsOf: emailTakenErrors },
    );
  }

  return (
    <Modal open onOpenChange={(o) => !o && onClose()} title={`Edit ${user.email}`} returnFocus={backToRow(user)}>
      <form onSubmit={onSubmit} noValidate>
        <FormField label="Email" name="edit_email" type="email" autoComplete="off" defaultValue={user.email} error={errors.email} />
        <FormField
          label="Full name"
          name="edit_full_name"
          type="text"
          autoComplete="off"
          defaultValue={user.full_name ?? ""}
          error={errors.full_name}
        />
        <FormField
          label="New password (optional)"
          name="edit_password"
          type="password"
          autoComplete="new-password"
          hint="Setting one signs the user out everywhere."
          error={errors.password}
        />
        <div className="check">
          <input id="edit_is_active" name="edit_is_active" type="checkbox" defaultChecked={user.is_active} />
          <label htmlFor="edit_is_active">Active (can sign in)</label>
        </div>
        <div className="check">
          <input
            id="edit_is_superuser"
            name="edit_is_superuser"
            type="checkbox"
            defaultChecked={user.is_superuser}
          />
          <label htmlFor="edit_is_superuser">Superuser (can manage users)</label>
        </div>
        {isSelf && (
          <p className="hint" style={{ marginBottom: "1rem" }}>
            This is your own account: the server refuses to deactivate you or remove your superuser role (another
            superuser can), and never leaves the system without an active superuser.
          </p>
        )}
        <FormError message={errors.form} />
        <div className="actions">
          <button type="submit" className="button primary" disabled={pending}>
            {pending ? "Saving…" : "Save changes"}
          </button>
          <ModalClose>Cancel</ModalClose>
        </div>
      </form>
    </Modal>
  );
}

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
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </div>
      {!sessions && !error && <p className="muted">Loading sessions…</p>}
      {sessions && sessions.length === 0 && <p className="empty">No live sessions: this user is signed in nowhere.</p>}
      {sessions && sessions.length > 0 && (
        <ul className="sessions" data-testid="user-sessions">
          {sessions.map((s) => (
            <li key={s.id} className="session">
              <div>
                <strong>{s.device}</strong>
                <div className="muted small-print">
                  {s.method === "session" ? "Browser sign-in" : "Password login (API)"} · signed in{" "}
                  {new Date(s.created_at).toLocaleString()}
                  {s.last_used_at && <> · last used {new Date(s.last_used_at).toLocaleString()}</>}
                </div>
              </div>
              <button type="button" className="button small danger" onClick={() => void revoke(s.id)}>
                Revoke<span className="visually-hidden"> {s.device} session</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="actions">
        <ModalClose>Close</ModalClose>
      </div>
    </Modal>
  );
}
