"use client";
/**
 * The password typed again before something only the account's owner may do (sudo mode, deleting the
 * account): one field, the action, Cancel. With `acceptCodes`, the dialog offers every proof the account
 * can give (GET /users/me/mfa's `reauthentication_proofs`): the password, a code from its authenticator
 * app, a recovery code, or one of its passkeys (the API takes exactly one of `password`, `code`,
 * `recovery_code`, `passkey`). It opens on the first of those the account has, so an account without a
 * password is never shown a password field. The form lives in the dialog's content, which is gone while
 * the dialog is closed, so every opening starts afresh.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from "react";
import { DialogActions } from "./dialog-actions";
import { FormField } from "./form-field";
import { FormError } from "./form-error";
import { Modal, ModalClose } from "./modal";
import { ApiError, apiJson } from "@/lib/client/api";
import { reauthenticationAssertion } from "@/lib/client/passkeys";
import { passwordErrors, useForm } from "@/lib/client/use-form";
import type { MfaStatusT, ProofKind } from "@/lib/schemas";
import type { AuthenticationResponseJSON } from "@simplewebauthn/browser";

/** One proof of a factor, as the API's sensitive requests and `POST /login/reauthenticate` take it. */
export type Proof = { password: string } | { code: string } | { recovery_code: string } | { passkey: AuthenticationResponseJSON };

type TypedProof = Exclude<ProofKind, "passkey">;

const CHOICES: Record<ProofKind, { label: string; empty: string; switchTo: string }> = {
  password: { label: "Password", empty: "", switchTo: "Use your password instead" },
  passkey: { label: "Passkey", empty: "", switchTo: "Use a passkey" },
  code: { label: "Code from the app", empty: "Type the 6-digit code your authenticator app shows.", switchTo: "Use a code from your authenticator app" },
  recovery_code: { label: "Recovery code", empty: "Type one of your recovery codes.", switchTo: "Use a recovery code" },
};
/** Which proof the dialog opens on, of those the account has. */
const PREFERENCE: ProofKind[] = ["password", "passkey", "code", "recovery_code"];

type Action = {
  /** The password field's name (and id). */
  name: string;
  /** What to say when the password is empty. */
  emptyMessage: string;
  label: string;
  pendingLabel: string;
  className?: string;
  /** Offer every proof the account has (codes, passkeys), not only the password. */
  acceptCodes?: boolean;
  /** Uses the proof; when it is done it closes the dialog or leaves the page, so it stays pending till then. */
  onConfirm: (proof: Proof) => Promise<unknown>;
};

/** The API's refusal of a wrong code or passkey, said plainly; the rest as for a password. */
function proofErrors(error: unknown) {
  if (error instanceof ApiError && error.message === "Invalid code") return { form: "That code is not right, or it was used already." };
  if (error instanceof ApiError && error.message.startsWith("Passkey not recognized")) return { form: "That passkey was not accepted: try again." };
  return passwordErrors(error);
}

/** The proofs to offer: the password alone, or (with `acceptCodes`) what the account has, once known. */
function useOfferedProofs(acceptCodes: boolean | undefined): ProofKind[] | null {
  const [offered, setOffered] = useState<ProofKind[] | null>(acceptCodes ? null : ["password"]);
  useEffect(() => {
    if (!acceptCodes) return;
    let live = true;
    apiJson<MfaStatusT>("/api/v1/users/me/mfa")
      .then((status) => live && setOffered(PREFERENCE.filter((kind) => status.reauthentication_proofs.includes(kind))))
      // Unknown: the password, as before there were other proofs.
      .catch(() => live && setOffered(["password"]));
    return () => {
      live = false;
    };
  }, [acceptCodes]);
  return offered;
}

function ProofForm({ name, emptyMessage, label, pendingLabel, className, acceptCodes, onConfirm }: Action) {
  const { errors, setErrors, pending, submit, fail } = useForm();
  const offered = useOfferedProofs(acceptCodes);
  const [chosen, setChosen] = useState<ProofKind | null>(null);
  const kind = chosen ?? offered?.[0] ?? null;
  const fieldName = (typed: TypedProof) => (typed === "password" ? name : `${name}_${typed}`);

  const confirmWithPasskey = () =>
    submit(async () => onConfirm({ passkey: await reauthenticationAssertion() }), { errorsOf: proofErrors, keepPending: true });

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (kind === null) return;
    if (kind === "passkey") {
      await confirmWithPasskey();
      return;
    }
    const value = String(new FormData(event.currentTarget).get(fieldName(kind)) ?? "");
    if (!value.trim()) {
      fail(kind === "password" ? emptyMessage : CHOICES[kind].empty);
      return;
    }
    const proof: Proof = kind === "password" ? { password: value } : kind === "code" ? { code: value.trim() } : { recovery_code: value.trim() };
    await submit(() => onConfirm(proof), { errorsOf: proofErrors, keepPending: true });
  }

  function choose(other: ProofKind) {
    setChosen(other);
    setErrors({});
    // A passkey has nothing to type: choosing it starts it.
    if (other === "passkey") void confirmWithPasskey();
  }

  if (offered === null) return <p className="muted">Checking how you can confirm it is you…</p>;
  if (kind === null) {
    return (
      <>
        <FormError message="This account has no password, code or passkey to confirm with: sign out and sign in again with its provider, then try again within a few minutes." />
        <div className="actions">
          <ModalClose>Cancel</ModalClose>
        </div>
      </>
    );
  }
  return (
    <form onSubmit={onSubmit} noValidate>
      {kind === "passkey" ? (
        <div className="field">
          <p className="muted">Your browser asks for one of your passkeys: your fingerprint, face or screen lock.</p>
          <FormError message={errors.password ?? errors.form} />
        </div>
      ) : (
        <FormField
          key={kind}
          label={CHOICES[kind].label}
          name={fieldName(kind)}
          type={kind === "password" ? "password" : "text"}
          autoComplete={kind === "password" ? "current-password" : "one-time-code"}
          inputMode={kind === "code" ? "numeric" : undefined}
          spellCheck={kind === "password" ? undefined : false}
          autoFocus={kind !== "password"}
          error={errors.password ?? errors.form}
        />
      )}
      {offered.length > 1 && (
        <p className="small-print proof-choices">
          {offered
            .filter((other) => other !== kind)
            .map((other) => (
              <button key={other} type="button" className="button small" disabled={pending} onClick={() => choose(other)}>
                {CHOICES[other].switchTo}
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
