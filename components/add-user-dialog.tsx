"use client";
/** The admin's "Add a user": with a password, or without one so that the server mails an invitation. */
import type { FormEvent } from "react";
import { FormError } from "./form-error";
import { DialogActions } from "./dialog-actions";
import { Modal } from "./modal";
import { readUserFields, UserFields } from "./user-fields";
import type { UserListItemT } from "@/lib/schemas";
import { UserCreate } from "@/lib/schemas";
import { apiJson } from "@/lib/client/api";
import { emailTakenErrors } from "@/lib/client/messages";
import { useForm } from "@/lib/client/use-form";

export function AddUserDialog({ open, onOpenChange, onDone }: { open: boolean; onOpenChange: (o: boolean) => void; onDone: (message: string) => void }) {
  const { errors, setErrors, pending, check, submit } = useForm();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // Empty password: none, and the server mails an invitation to choose one.
    const input = readUserFields(new FormData(event.currentTarget), "new");
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
        <UserFields prefix="new" errors={errors} />
        <FormError message={errors.form ?? errors.is_active ?? errors.is_superuser} />
        <DialogActions label="Add user" pendingLabel="Adding…" pending={pending} />
      </form>
    </Modal>
  );
}
