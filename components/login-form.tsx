"use client";
import Link from "next/link";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { signIn } from "next-auth/react";
import { FormField } from "./form-field";
import { mintFromSession } from "@/lib/client/token-store";
import { safeNext } from "@/lib/client/navigation";
import { useForm } from "@/lib/client/use-form";
import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  cancelPasskeyCeremony,
  PasskeyCancelledError,
  passkeySignInAssertion,
  secondFactorAssertion,
} from "@/lib/client/passkeys";

const reasonMessages: Record<string, string> = {
  expired: "Your session expired. Please sign in again.",
  revoked: "This session was revoked. Please sign in again.",
  signed_out: "You signed out in another tab or window.",
  inactive: "Your account has been deactivated by an administrator.",
  deleted: "Your account has been deleted.",
};

const authjsErrors: Record<string, string> = {
  OAuthAccountNotLinked: "An account with this email already exists. Sign in with your password.",
  AccessDenied: "This account cannot sign in.",
  Configuration: "Sign-in is not available right now.",
};

/** The Credentials sign-in's throttle answer, `throttled:<seconds>`, as the number of seconds to wait. */
function throttledSeconds(code: string | undefined): number | null {
  const match = /^throttled:(\d+)$/.exec(code ?? "");
  return match ? Number(match[1]) : null;
}

/** A sign-in shed for load (`busy:<seconds>`, the 503's Retry-After) as the number of seconds to wait. */
function busySeconds(code: string | undefined): number | null {
  const match = /^busy:(\d+)$/.exec(code ?? "");
  return match ? Number(match[1]) : null;
}

/**
 * A sign-in waiting for its second factor: the challenge, the methods the account has, and whether its first
 * step was the password or the provider's sign-in (the fragment's challenge), which is where to start again.
 */
type Challenge = { token: string; methods: string[]; viaProvider?: boolean };

/** The password step's answer for an account with a second factor, `mfa_required:<mfa_token>:<methods>`. */
function mfaChallenge(code: string | undefined): Challenge | null {
  const match = /^mfa_required:([A-Za-z0-9_-]+)(?::([a-z_,]*))?$/.exec(code ?? "");
  return match ? { token: match[1]!, methods: match[2] ? match[2].split(",") : ["totp", "recovery_code"] } : null;
}

/** The password step as typed, kept to ask again for a new verification link. */
type PasswordStep = { email: string; password: string; resent: boolean };

const waitMessage = (seconds: number) =>
  `Too many failed sign-in attempts. Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`;

export function LoginForm({
  next,
  reason,
  signedOut,
  passwordReset,
  authError,
  oidc,
}: {
  next?: string;
  reason?: string;
  /** Arrived from signing out: of this browser, or of every device. */
  signedOut?: "here" | "everywhere";
  /** Arrived from the reset-password page: the new password is set. */
  passwordReset?: boolean;
  authError?: string;
  oidc: { id: string; name: string } | null;
}) {
  const { errors, setErrors, pending, submit } = useForm(
    authError ? { form: authjsErrors[authError] ?? "Sign-in failed. Please try again." } : {},
  );
  const error = errors.form;
  // Counts failed attempts, so that each one moves focus to the error once it is on the page.
  const [failures, setFailures] = useState(0);
  const errorRef = useRef<HTMLParagraphElement>(null);
  // When the throttle answered: the moment signing in is allowed again, and the seconds left.
  const [waitUntil, setWaitUntil] = useState<number | null>(null);
  const [waitLeft, setWaitLeft] = useState(0);
  // EMAIL_VERIFICATION=required refused a right password: offer a new link (and say when one was sent).
  const [unverified, setUnverified] = useState<PasswordStep | null>(null);
  // The password was right and the account has a second factor: the challenge to answer with a code.
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  // Whether this browser can use passkeys (known after mounting: the server renders without).
  const [passkeys, setPasskeys] = useState(false);
  const [useRecoveryCode, setUseRecoveryCode] = useState(false);

  useEffect(() => {
    if (waitUntil === null) return;
    const tick = () => {
      const left = Math.ceil((waitUntil - Date.now()) / 1000);
      if (left <= 0) {
        setWaitUntil(null);
        setWaitLeft(0);
        setErrors({});
      } else {
        setWaitLeft(left);
      }
    };
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [waitUntil, setErrors]);

  useEffect(() => {
    if (failures > 0) errorRef.current?.focus();
  }, [failures]);

  // A provider sign-in of an account with a second factor lands here with the challenge in the fragment,
  // `#mfa=<token>&methods=<a,b>` (lib/accounts/provider-mfa.ts): on to the second step, and the token out of
  // the address bar.
  useEffect(() => {
    const match = /^#mfa=([A-Za-z0-9_-]+)(?:&methods=([a-z_,]*))?$/.exec(window.location.hash);
    if (!match) return;
    window.history.replaceState(null, "", `${window.location.pathname}${window.location.search}`);
    setChallenge({ token: match[1]!, methods: match[2] ? match[2].split(",") : ["totp", "recovery_code"], viaProvider: true });
  }, []);

  // Passkey autofill (conditional UI): the browser offers this site's passkeys in the email field's
  // suggestions; picking one signs in. Stopped when the page moves on, or a passkey button takes over.
  const onPasskey = useRef<(fields: Record<string, string>) => Promise<void>>(async () => {});
  useEffect(() => {
    setPasskeys(browserSupportsWebAuthn());
    let live = true;
    void (async () => {
      if (!(await browserSupportsWebAuthnAutofill())) return;
      try {
        const assertion = await passkeySignInAssertion(true);
        if (live) await onPasskey.current({ passkey: JSON.stringify(assertion) });
      } catch {
        // Cancelled, or replaced by a button's ceremony: nothing to say.
      }
    })();
    return () => {
      live = false;
      cancelPasskeyCeremony();
    };
  }, []);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    await attempt(String(form.get("email") ?? ""), String(form.get("password") ?? ""), false);
  }

  function attempt(email: string, password: string, resendVerification: boolean) {
    return step(
      { email, password, ...(resendVerification ? { resend_verification: "1" } : {}) },
      { email, password, resent: resendVerification },
    );
  }

  async function onSecondFactor(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get("second_factor") ?? "").trim();
    if (!challenge || !value) return;
    await step({ mfa_token: challenge.token, ...(useRecoveryCode ? { recovery_code: value } : { code: value }) }, null);
  }

  /** A passkey ceremony, then its step: the sign-in itself, or the second step of `challenge`. */
  async function withPasskey(second: Challenge | null) {
    let assertion;
    try {
      assertion = second ? await secondFactorAssertion(second.token) : await passkeySignInAssertion();
    } catch (error) {
      if (error instanceof PasskeyCancelledError) return;
      setErrors({ form: error instanceof Error ? error.message : "The passkey could not be used." });
      setFailures((n) => n + 1);
      return;
    }
    await step({ ...(second ? { mfa_token: second.token } : {}), passkey: JSON.stringify(assertion) }, null);
  }

  /**
   * One sign-in step (the password, or the second factor): on to the second step, or signed in (then
   * the access token and away). A refusal throws what to say, and each one moves focus to it.
   */
  async function step(fields: Record<string, string>, passwordStep: PasswordStep | null) {
    let challenged = false;
    const signedIn = await submit(
      async () => {
        const result = await signIn("credentials", { ...fields, redirect: false });
        const secondStep = mfaChallenge(result?.code);
        if (secondStep) {
          setChallenge(secondStep);
          challenged = true;
          return;
        }
        if (result?.code === "passkey_refused") throw new Error("That passkey was not accepted. Try again, or sign in with your password.");
        if (result?.code === "mfa_invalid") {
          throw new Error(
            fields.passkey
              ? "That passkey was not accepted. Try again."
              : useRecoveryCode
              ? "That recovery code is wrong or was used already."
              : "That code is wrong or was used already. Wait for the next one.",
          );
        }
        if (result?.code === "mfa_expired") {
          setChallenge(null);
          // An account that came through its provider may have no password: back to the provider, then.
          throw new Error(`The sign-in expired. Sign in with ${challenge?.viaProvider && oidc ? oidc.name : "your password"} again.`);
        }
        if (result?.code === "unverified" && passwordStep) {
          setUnverified(passwordStep);
          throw new Error("Your email address is not verified yet. Follow the link we mailed you, then sign in.");
        }
        setUnverified(null);
        if (!result || result.error) {
          const wait = throttledSeconds(result?.code);
          if (wait !== null) {
            setWaitUntil(Date.now() + wait * 1000);
            throw new Error(waitMessage(wait));
          }
          const busy = busySeconds(result?.code);
          if (busy !== null) throw new Error(`The server is busy, try again in ${busy} second${busy === 1 ? "" : "s"}.`);
          if (result?.code === "inactive") throw new Error("This account is inactive.");
          throw new Error(passwordStep ? "Incorrect email or password." : "Sign-in failed. Please try again.");
        }
        const minted = await mintFromSession();
        if (!minted.ok) throw new Error("Signed in, but no access token could be issued. Please try again.");
        window.location.assign(safeNext(next, window.location.origin));
      },
      // Signed in, the page is leaving: the button stays disabled. Challenged: the second step's form is next.
      { keepPending: () => !challenged },
    );
    if (!signedIn) setFailures((n) => n + 1);
  }

  // The autofill ceremony (started once, on mount) signs in through the current `step`.
  useEffect(() => {
    onPasskey.current = (fields) => step(fields, null);
  });

  const notice = passwordReset
    ? "Your password was changed and every device was signed out. Sign in with the new password."
    : signedOut === "everywhere"
      ? "You have signed out everywhere: every browser and API token of your account was signed out."
      : signedOut
      ? "You have signed out."
      : reason
        ? reasonMessages[reason]
        : undefined;

  // Both steps' error (with the throttle's countdown) and submit button.
  const errorLine = error && (
    <p id="login-error" className="form-error" role="alert" tabIndex={-1} ref={errorRef}>
      {waitUntil !== null && waitLeft > 0 ? waitMessage(waitLeft) : error}
    </p>
  );
  const submitButton = (label: string) => (
    <button type="submit" className="button primary" disabled={pending || waitUntil !== null}>
      {label}
    </button>
  );

  if (challenge) {
    const codes = challenge.methods.includes("totp");
    const passkeyButton = challenge.methods.includes("passkey") && passkeys && (
      <button type="button" className={`button${codes ? "" : " primary"}`} disabled={pending} onClick={() => void withPasskey(challenge)}>
        Use a passkey
      </button>
    );
    if (!codes) {
      return (
        <div className="card narrow">
          <h1>Two-factor authentication</h1>
          <p className="muted">Confirm it is you with one of your passkeys: your device asks for its screen lock.</p>
          {errorLine}
          {passkeyButton || <p className="form-error">This browser cannot use passkeys: sign in on a device that can.</p>}
        </div>
      );
    }
    return (
      <div className="card narrow">
        <h1>Two-factor authentication</h1>
        <p className="muted">
          {useRecoveryCode
            ? "Type one of the recovery codes you saved when you turned two-factor authentication on. Each works once."
            : "Open your authenticator app and type the 6-digit code it shows for this account."}
        </p>
        <form method="post" onSubmit={onSecondFactor} aria-describedby={error ? "login-error" : undefined}>
          <FormField
            key={useRecoveryCode ? "recovery" : "code"}
            label={useRecoveryCode ? "Recovery code" : "Authentication code"}
            name="second_factor"
            type="text"
            autoComplete="one-time-code"
            inputMode={useRecoveryCode ? "text" : "numeric"}
            pattern={useRecoveryCode ? undefined : "[0-9 ]{6,7}"}
            spellCheck={false}
            required
            autoFocus
          />
          {errorLine}
          {submitButton(pending ? "Checking…" : "Verify")}
        </form>
        <p className="small-print">
          <button
            type="button"
            className="button small"
            onClick={() => {
              setUseRecoveryCode((v) => !v);
              setErrors({});
            }}
          >
            {useRecoveryCode ? "Use a code from the app instead" : "Use a recovery code instead"}
          </button>
        </p>
        {passkeyButton && <p className="small-print">{passkeyButton}</p>}
        <p className="muted small-print">
          Lost your phone and your recovery codes? Ask an administrator to reset your two-factor authentication.
        </p>
      </div>
    );
  }

  return (
    <div className="card narrow">
      <h1>Sign in</h1>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <form method="post" onSubmit={onSubmit} noValidate={false} aria-describedby={error ? "login-error" : undefined}>
        {/* "webauthn": the browser may offer passkeys among the field's suggestions (conditional UI). */}
        <FormField label="Email" name="email" type="email" autoComplete="username webauthn" required autoFocus />
        <FormField label="Password" name="password" type="password" autoComplete="current-password" required />
        {errorLine}
        {unverified && (
          <p className="muted small-print" role="status">
            {unverified.resent ? "We sent a new verification link. " : "No mail? "}
            <button
              type="button"
              className="button small"
              disabled={pending}
              onClick={() => void attempt(unverified.email, unverified.password, true)}
            >
              Send a new verification link
            </button>
          </p>
        )}
        {submitButton(pending ? "Signing in…" : "Sign in")}
      </form>
      <p className="small-print">
        <Link href="/recover-password">Forgot password?</Link>
      </p>
      {passkeys && (
        <button type="button" className="button" disabled={pending} onClick={() => void withPasskey(null)}>
          Sign in with a passkey
        </button>
      )}
      {oidc && (
        <>
          <div className="divider">
            <span>or</span>
          </div>
          <button
            type="button"
            className="button"
            onClick={() => {
              const destination = safeNext(next, window.location.origin);
              void signIn(oidc.id, { redirectTo: `/login/complete?next=${encodeURIComponent(destination)}` });
            }}
          >
            Sign in with {oidc.name}
          </button>
        </>
      )}
      <p className="muted small-print">
        {/* Passed on as it came: the sign-up page checks it where it navigates, as this page does. */}
        No account? <Link href={`/signup${next ? `?next=${encodeURIComponent(next)}` : ""}`}>Sign up</Link>
      </p>
    </div>
  );
}
