"use client";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { ApiError, publicJson } from "@/lib/client/api";

type State = { status: "working" } | { status: "done" } | { status: "failed"; message: string };

/** The page a verification link opens: confirms the address at once and says how it went. */
export function VerifyEmail({ token }: { token: string | undefined }) {
  const [state, setState] = useState<State>(
    token ? { status: "working" } : { status: "failed", message: "This link is incomplete: it carries no token." },
  );
  // Strict mode runs effects twice in development; the link must be used once.
  const sent = useRef(false);

  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    publicJson("/api/v1/verify-email/", { method: "POST", body: JSON.stringify({ token }) })
      .then(() => setState({ status: "done" }))
      .catch((failure) =>
        setState({
          status: "failed",
          message:
            failure instanceof ApiError && failure.status === 400
              ? failure.message === "Inactive user"
                ? "This account is inactive."
                : "This link has expired, was already used, or was replaced by a newer one."
              : failure instanceof Error
                ? failure.message
                : "The request failed.",
        }),
      );
  }, [token]);

  return (
    <div className="card narrow">
      <h1>Email verification</h1>
      {state.status === "working" && (
        <p className="muted" role="status">
          Confirming your address…
        </p>
      )}
      {state.status === "done" && (
        <p className="notice" role="status">
          Your email address is verified.
        </p>
      )}
      {state.status === "failed" && (
        <p className="form-error" role="alert">
          {state.message} Sign in and ask for a new link on your profile.
        </p>
      )}
      <p className="muted small-print">
        <Link href="/profile">Go to your profile</Link> · <Link href="/login">Sign in</Link>
      </p>
    </div>
  );
}
