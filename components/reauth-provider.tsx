"use client";
/**
 * "Sudo mode" in the pages: a sensitive change (email, deleting the account, unlinking a sign-in method)
 * that the API refuses with `reason: "reauth_required"` opens a dialog asking for the password, confirms
 * it (`POST /login/reauthenticate`), then runs the change again. Wrap such a change in `withReauth`.
 */
import { createContext, useCallback, useContext, useRef, useState, type FormEvent, type ReactNode } from "react";
import { FormField } from "./form-field";
import { Modal, ModalClose } from "./modal";
import { apiJson, isReauthRequired } from "@/lib/client/api";
import { passwordErrors, useForm } from "@/lib/client/use-form";

/** The user closed the password dialog: the change was not made. */
export class ReauthCancelledError extends Error {
  constructor() {
    super("Not changed: your password was not confirmed.");
  }
}

type WithReauth = <T>(change: () => Promise<T>) => Promise<T>;

const ReauthContext = createContext<WithReauth | null>(null);

type Pending = { resolve: () => void; reject: (error: Error) => void };

export function ReauthProvider({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const { errors, setErrors, pending: busy, submit, fail } = useForm();
  const pending = useRef<Pending | null>(null);

  /** Opens the dialog; resolves once the password is confirmed, rejects when the dialog is closed. */
  const askPassword = useCallback(
    () =>
      new Promise<void>((resolve, reject) => {
        pending.current = { resolve, reject };
        setErrors({});
        setOpen(true);
      }),
    [setErrors],
  );

  const withReauth = useCallback<WithReauth>(
    async (change) => {
      try {
        return await change();
      } catch (failure) {
        if (!isReauthRequired(failure)) throw failure;
        await askPassword();
        return change();
      }
    },
    [askPassword],
  );

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("reauth_password") ?? "");
    if (!password) {
      fail("Type your password to continue.");
      return;
    }
    await submit(
      async () => {
        await apiJson("/api/v1/login/reauthenticate", { method: "POST", body: JSON.stringify({ password }) });
        const waiting = pending.current;
        pending.current = null;
        setOpen(false);
        waiting?.resolve();
      },
      { errorsOf: passwordErrors },
    );
  }

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (!next && pending.current) {
      pending.current.reject(new ReauthCancelledError());
      pending.current = null;
    }
  }

  return (
    <ReauthContext.Provider value={withReauth}>
      {children}
      <Modal
        open={open}
        onOpenChange={onOpenChange}
        title="Confirm your password"
        description="This change protects your account: type your password again to make it. You will not be asked again for a few minutes."
      >
        <form onSubmit={onSubmit} noValidate>
          <FormField
            label="Password"
            name="reauth_password"
            type="password"
            autoComplete="current-password"
            error={errors.password ?? errors.form}
          />
          <div className="actions">
            <button type="submit" className="button primary" disabled={busy}>
              {busy ? "Confirming…" : "Confirm"}
            </button>
            <ModalClose>Cancel</ModalClose>
          </div>
        </form>
      </Modal>
    </ReauthContext.Provider>
  );
}

/** Runs a sensitive change, asking for the password first when the server wants a fresh proof. */
export function useReauth(): WithReauth {
  const withReauth = useContext(ReauthContext);
  if (!withReauth) throw new Error("useReauth() needs a <ReauthProvider> above it");
  return withReauth;
}
