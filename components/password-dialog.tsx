"use client";
/**
 * The password typed again before something only the account's owner may do (sudo mode, deleting the
 * account): one field, the action, Cancel. With `acceptCodes`, an account with two-factor authentication
 * may give a code from its authenticator app or a recovery code instead (the API takes exactly one of
 * `password`, `code`, `recovery_code`). The form lives in the dialog's content, which is gone while the
 * dialog is closed, so every opening starts empty, with the password.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from "react";
import { DialogActions } from "./dialog-actions";
import { FormField } from "./form-field";
import { Modal } from "./modal";
import { ApiError, apiJson } from "@/lib/client/api";
import { passwordErrors, useForm } from "@/lib/client/use-form";
import type { MfaStatusT } from "@/lib/schemas";

/** One proof of a factor, as the API's sensitive requests and `POST /login/reauthenticate` take it. */
export type Proof = { password: string } | { code: string } | { recovery_code: string };
type ProofKind = "password" | "code" | "recovery_code";

const FIELDS: Record<ProofKind, { label: string; empty: string; switchTo: string }> = {
  password: { label: "Password", empty: "", switchTo: "Use your password instead" },
  code: { label: "Code from the app", empty: "Type the 6-digit code your authenticator app shows.", switchTo: "Use a code from your authenticator app" },
  recovery_code: { label: "Recovery code", empty: "Type one of your recovery codes.", switchTo: "Use a recovery code" },
};

type Action = {
  /** The password field's name (and id). */
  name: string;
  /** What to say when the password is empty. */
  emptyMessage: string;
  label: string;
  pendingLabel: string;
  className?: string;
  /** Offer a code from the authenticator app or a recovery code when the account has two-factor authentication. */
  acceptCodes?: boolean;
  /** Uses the proof; when it is done it closes the dialog or leaves the page, so it stays pending till then. */
  onConfirm: (proof: Proof) => Promise<unknown>;
};

/** The API's refusal of a wrong code, said plainly; the rest as for a password. */
function proofErrors(error: unknown) {
  if (error instanceof ApiError && error.message === "Invalid code") return { form: "That code is not right, or it was used already." };
  return passwordErrors(error);
}

function ProofForm({ name, emptyMessage, label, pendingLabel, className, acceptCodes, onConfirm }: Action) {
  const { errors, setErrors, pending, submit, fail } = useForm();
  const [kind, setKind] = useState<ProofKind>("password");
  const [codesOffered, setCodesOffered] = useState(false);

  useEffect(() => {
    if (!acceptCodes) return;
    let live = true;
    apiJson<MfaStatusT>("/api/v1/users/me/mfa")
      .then((status) => live && setCodesOffered(status.totp_enabled))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [acceptCodes]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get(kind === "password" ? name : `${name}_${kind}`) ?? "");
    if (!value.trim()) {
      fail(kind === "password" ? emptyMessage : FIELDS[kind].empty);
      return;
    }
    const proof: Proof = kind === "password" ? { password: value } : kind === "code" ? { code: value.trim() } : { recovery_code: value.trim() };
    await submit(() => onConfirm(proof), { errorsOf: proofErrors, keepPending: true });
  }

  const field = FIELDS[kind];
  return (
    <form onSubmit={onSubmit} noValidate>
      <FormField
        key={kind}
        label={field.label}
        name={kind === "password" ? name : `${name}_${kind}`}
        type={kind === "password" ? "password" : "text"}
        autoComplete={kind === "password" ? "current-password" : "one-time-code"}
        inputMode={kind === "code" ? "numeric" : undefined}
        spellCheck={kind === "password" ? undefined : false}
        autoFocus={kind !== "password"}
        error={errors.password ?? errors.form}
      />
      {codesOffered && (
        <p className="small-print proof-choices">
          {(Object.keys(FIELDS) as ProofKind[])
            .filter((other) => other !== kind)
            .map((other) => (
              <button
                key={other}
                type="button"
                className="button small"
                onClick={() => {
                  setKind(other);
                  setErrors({});
                }}
              >
                {FIELDS[other].switchTo}
              </button>
            ))}
        </p>
      )}
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
      <ProofForm {...action} />
    </Modal>
  );
}
