"use client";
/**
 * MFA_REQUIRED: an account it covers signs in, but until it has a second factor the API refuses it
 * everything but enrolment (403 `mfa_enrolment_required`), and the pages send it here. Enrol (the
 * settings' own two-factor section), then go on; or sign out.
 */
import { useState } from "react";
import { useRequireAuth } from "./auth-provider";
import { PageLoading } from "./page-loading";
import { TwoFactorSettings } from "./two-factor-settings";
import { safeNext } from "@/lib/client/navigation";
import { signOut } from "@/lib/client/token-store";

export function EnrolSecondFactor({ next }: { next?: string }) {
  const auth = useRequireAuth();
  const [enrolled, setEnrolled] = useState(false);
  if (auth.status !== "signed-in") return <PageLoading label="Loading…" />;
  return (
    <div className="stack narrow-stack">
      <div className="page-head">
        <div>
          <h1>Set up two-factor authentication</h1>
          <p className="muted">
            This site asks every account like yours ({auth.user.email}) for a second factor: a code from an authenticator
            app, on top of the password. Set it up to continue.
          </p>
        </div>
      </div>
      <TwoFactorSettings onChanged={() => setEnrolled(true)} />
      <div className="actions">
        {enrolled && (
          <button type="button" className="button primary" onClick={() => window.location.assign(safeNext(next, window.location.origin))}>
            Continue
          </button>
        )}
        <button
          type="button"
          className="button"
          onClick={() => void signOut().then(() => window.location.assign("/login?signed_out=1"))}
        >
          Sign out
        </button>
      </div>
    </div>
  );
}
