"use client";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { ApiError, publicJson } from "@/lib/client/api";

type State = { status: "working" } | { status: "done"; message: string } | { status: "failed"; message: string };

const copy = {
  confirm: {
    title: "Confirm your new email address",
    path: "/api/v1/confirm-email-change/",
    working: "Confirming your new address…",
    expired: "This link has expired, was already used, or was replaced by a newer change. Sign in and ask again from your settings.",
  },
  cancel: {
    title: "Undo an email change",
    path: "/api/v1/cancel-email-change/",
    working: "Undoing the change and signing out every device…",
    expired: "This link has expired or was already used. If you no longer get into your account, reset your password.",
  },
} as const;

/**
 * The page an email change's link opens: `confirm` (mailed to the new address) or `cancel` (mailed to
 * the old one). Uses the link at once, once, and says how it went.
 */
export function EmailChangeLink({ action, token }: { action: keyof typeof copy; token: string | undefined }) {
  const text = copy[action];
  const [state, setState] = useState<State>(
    token ? { status: "working" } : { status: "failed", message: "This link is incomplete: it carries no token." },
  );
  // Strict mode runs effects twice in development; the link must be used once.
  const sent = useRef(false);

  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    publicJson<{ message: string }>(text.path, { method: "POST", body: JSON.stringify({ token }) })
      .then((answer) => setState({ status: "done", message: answer.message }))
      .catch((failure) =>
        setState({
          status: "failed",
          message:
            failure instanceof ApiError && failure.status === 400
              ? failure.message === "Inactive user"
                ? "This account is inactive."
                : text.expired
              : failure instanceof Error
                ? failure.message
                : "The request failed.",
        }),
      );
  }, [token, text]);

  return (
    <div className="card narrow">
      <h1>{text.title}</h1>
      {state.status === "working" && (
        <p className="muted" role="status">
          {text.working}
        </p>
      )}
      {state.status === "done" && (
        <p className="notice success" role="status">
          {state.message}
        </p>
      )}
      {state.status === "failed" && (
        <p className="form-error" role="alert">
          {state.message}
        </p>
      )}
      <p className="muted small-print">
        <Link href="/settings">Go to your settings</Link> · <Link href="/login">Sign in</Link>
        {action === "cancel" && (
          <>
            {" "}
            · <Link href="/recover-password">Reset your password</Link>
          </>
        )}
      </p>
    </div>
  );
}
