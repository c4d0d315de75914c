"use client";
/**
 * "Are you sure?" before an action that is not a one-click surprise (deactivating or deleting a user,
 * signing out everywhere): what will happen, the action, Cancel, and the server's refusal if any.
 */
import type { ReactNode } from "react";
import { DialogActions } from "./dialog-actions";
import { FormError } from "./form-error";
import { Modal } from "./modal";
import { useForm } from "@/lib/client/use-form";

export function ConfirmDialog({
  open = true,
  onOpenChange,
  title,
  description,
  returnFocus,
  label,
  pendingLabel,
  className = "button danger solid",
  onConfirm,
}: {
  open?: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: ReactNode;
  returnFocus?: () => HTMLElement | null;
  label: string;
  pendingLabel: string;
  className?: string;
  /** The action; when it is done it closes the dialog or leaves the page, so it stays pending till then. */
  onConfirm: () => Promise<unknown>;
}) {
  const { errors, pending, submit } = useForm();
  return (
    <Modal open={open} onOpenChange={onOpenChange} title={title} description={description} returnFocus={returnFocus}>
      <FormError message={errors.form} />
      <DialogActions
        label={label}
        pendingLabel={pendingLabel}
        pending={pending}
        className={className}
        onClick={() => void submit(onConfirm, { keepPending: true })}
      />
    </Modal>
  );
}
