"use client";
import { useState } from "react";
import { ApiError, apiJson } from "@/lib/client/api";
import { FormError } from "./form-error";

/** The profile's "Email" line: verified or not, and for an unverified address a button for a new link. */
export function EmailVerificationStatus({ verified }: { verified: boolean }) {
  const [state, setState] = useState<{ busy: boolean; message?: string; error?: string }>({ busy: false });
  if (verified) return <span className="badge">verified</span>;

  async function resend() {
    setState({ busy: true });
    try {
      await apiJson("/api/v1/users/me/verify-email", { method: "POST" });
      setState({ busy: false, message: "We sent a new link. Follow it to verify your address." });
    } catch (failure) {
      setState({ busy: false, error: failure instanceof ApiError ? failure.message : "Could not send a link. Try again." });
    }
  }

  return (
    <>
      <span className="badge" data-testid="email-unverified">
        not verified
      </span>
      <div className="actions">
        <button type="button" className="button small" disabled={state.busy} onClick={resend}>
          {state.busy ? "Sending…" : "Send a verification link"}
        </button>
      </div>
      {state.message && (
        <p className="notice" role="status">
          {state.message}
        </p>
      )}
      <FormError message={state.error} />
    </>
  );
}
