"use client";
/**
 * The password typed again before something only the account's owner may do (sudo mode, deleting the
 * account): one field, the action, Cancel. The form lives in the dialog's content, which is gone while
 * the dialog is closed, so every opening starts empty.
 */
import type { FormEvent, ReactNode } from "react";
import { DialogActions } from "./dialog-actions";
import { FormField } from "./form-field";
import { Modal } from "./modal";
import { passwordErrors, useForm } from "@/lib/client/use-form";

type Action = {
  /** The field's name (and id). */
  name: string;
  /** What to say when the field is empty. */
  emptyMessage: string;
  label: string;
  pendingLabel: string;
  className?: string;
  /** Uses the password; when it is done it closes the dialog or leaves the page, so it stays pending till then. */
  onConfirm: (password: string) => Promise<unknown>;
};

function PasswordForm({ name, emptyMessage, label, pendingLabel, className, onConfirm }: Action) {
  const { errors, pending, submit, fail } = useForm();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get(name) ?? "");
    if (!password) {
      fail(emptyMessage);
      return;
    }
    await submit(() => onConfirm(password), { errorsOf: passwordErrors, keepPending: true });
  }

  return (
    <form onSubmit={onSubmit} noValidate>
      <FormField
        label="Password"
        name={name}
        type="password"
        autoComplete="current-password"
        error={errors.password ?? errors.form}
      />
      <DialogActions label={label} pendingLabel={pendingLabel} pending={pending} className={className} />
    </form>
  );
}

export function PasswordDialog({
  open,
  onOpenChange,
  title,
  description,
  ...action
}: { open: boolean; onOpenChange: (open: boolean) => void; title: string; description: ReactNode } & Action) {
  return (
    <Modal open={open} onOpenChange={onOpenChange} title={title} description={description}>
      <PasswordForm {...action} />
    </Modal>
  );
}
