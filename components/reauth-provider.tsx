"use client";
/**
 * "Sudo mode" in the pages: a sensitive change (email, deleting the account, unlinking a sign-in method)
 * that the API refuses with `reason: "reauth_required"` opens a dialog asking for the password (or, for an
 * account with two-factor authentication, a code from the app or a recovery code), confirms it
 * (`POST /login/reauthenticate`), then runs the change again. Wrap such a change in `withReauth`.
 */
import { createContext, useCallback, useContext, useRef, useState, type ReactNode } from "react";
import { PasswordDialog, type Proof } from "./password-dialog";
import { apiJson, isReauthRequired } from "@/lib/client/api";

/** The user closed the confirmation dialog: the change was not made. */
export class ReauthCancelledError extends Error {
  constructor() {
    super("Not changed: it was not confirmed that it is you.");
  }
}

type WithReauth = <T>(change: () => Promise<T>) => Promise<T>;

const ReauthContext = createContext<WithReauth | null>(null);

type Pending = { resolve: () => void; reject: (error: Error) => void };

export function ReauthProvider({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const pending = useRef<Pending | null>(null);

  /** Opens the dialog; resolves once the password is confirmed, rejects when the dialog is closed. */
  const askPassword = useCallback(
    () =>
      new Promise<void>((resolve, reject) => {
        pending.current = { resolve, reject };
        setOpen(true);
      }),
    [],
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

  async function confirmProof(proof: Proof) {
    await apiJson("/api/v1/login/reauthenticate", { method: "POST", body: JSON.stringify(proof) });
    const waiting = pending.current;
    pending.current = null;
    setOpen(false);
    waiting?.resolve();
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
      <PasswordDialog
        open={open}
        onOpenChange={onOpenChange}
        title="Confirm it is you"
        description="This change protects your account: confirm it is you to make it. You will not be asked again for a few minutes."
        name="reauth_password"
        emptyMessage="Type your password to continue."
        label="Confirm"
        pendingLabel="Confirming…"
        acceptCodes
        onConfirm={confirmProof}
      />
    </ReauthContext.Provider>
  );
}

/** Runs a sensitive change, asking for the password first when the server wants a fresh proof. */
export function useReauth(): WithReauth {
  const withReauth = useContext(ReauthContext);
  if (!withReauth) throw new Error("useReauth() needs a <ReauthProvider> above it");
  return withReauth;
}
