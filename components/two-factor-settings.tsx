"use client";
/**
 * Two-factor authentication on /settings: turn it on (a QR code and the secret as text for an
 * authenticator app, confirmed with one code), the recovery codes shown once, new recovery codes, and
 * turning it off. Starting, new codes and turning off are sensitive: the API asks for a fresh proof,
 * which `withReauth` gets from the password dialog.
 */
import QRCode from "qrcode";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import type { MfaStatusT, TotpEnrolmentT } from "@/lib/schemas";
import { apiJson, ApiError } from "@/lib/client/api";
import { FormField } from "./form-field";
import { ReauthCancelledError, useReauth } from "./reauth-provider";

type Step =
  | { kind: "idle" }
  | { kind: "enrolling"; enrolment: TotpEnrolmentT; qrSvg: string | null }
  | { kind: "codes"; codes: string[]; title: string };

const messageOf = (e: unknown) =>
  e instanceof ApiError || e instanceof ReauthCancelledError ? e.message : "Something went wrong. Please try again.";

export function TwoFactorSettings({ onChanged }: { onChanged: () => void }) {
  const withReauth = useReauth();
  const [status, setStatus] = useState<MfaStatusT | null>(null);
  const [step, setStep] = useState<Step>({ kind: "idle" });
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const reload = useCallback(async () => {
    try {
      setStatus(await apiJson<MfaStatusT>("/api/v1/users/me/mfa"));
    } catch (e) {
      setError(messageOf(e));
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);

  async function run(action: () => Promise<void>) {
    setError(null);
    setPending(true);
    try {
      await action();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setPending(false);
    }
  }

  const start = () =>
    run(async () => {
      const enrolment = await withReauth(() => apiJson<TotpEnrolmentT>("/api/v1/users/me/mfa/totp", { method: "POST" }));
      // An SVG drawn here from the URI (no data: image, which the pages' CSP refuses).
      const qrSvg = await QRCode.toString(enrolment.otpauth_uri, { type: "svg", margin: 1 }).catch(() => null);
      setStep({ kind: "enrolling", enrolment, qrSvg });
    });

  const confirm = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get("totp_code") ?? "").trim();
    return run(async () => {
      const { recovery_codes: codes } = await apiJson<{ recovery_codes: string[] }>("/api/v1/users/me/mfa/totp/confirm", {
        method: "POST",
        body: JSON.stringify({ code }),
      });
      setStep({ kind: "codes", codes, title: "Two-factor authentication is on" });
      await reload();
      onChanged();
    });
  };

  const regenerate = () =>
    run(async () => {
      const { recovery_codes: codes } = await withReauth(() =>
        apiJson<{ recovery_codes: string[] }>("/api/v1/users/me/mfa/recovery-codes", { method: "POST" }),
      );
      setStep({ kind: "codes", codes, title: "New recovery codes" });
      await reload();
      onChanged();
    });

  const disable = () =>
    run(async () => {
      await withReauth(() => apiJson("/api/v1/users/me/mfa", { method: "DELETE" }));
      setStep({ kind: "idle" });
      await reload();
      onChanged();
    });

  return (
    <section className="card" aria-labelledby="two-factor-heading" data-testid="two-factor">
      <h2 id="two-factor-heading">Two-factor authentication</h2>
      <p className="muted small-print">
        With it on, signing in with your password also asks for a 6-digit code from an authenticator app on your
        phone, so a stolen password alone is not enough.
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {!status && !error && <p className="muted">Loading…</p>}

      {step.kind === "codes" && (
        <div className="stack-tight">
          <p className="notice success" role="status">
            {step.title}. Save these recovery codes now: they are shown only this once. Each signs in once if you lose
            your phone.
          </p>
          <ol className="recovery-codes" data-testid="recovery-codes">
            {step.codes.map((code) => (
              <li key={code}>
                <code>{code}</code>
              </li>
            ))}
          </ol>
          <div className="actions">
            <button type="button" className="button" onClick={() => void navigator.clipboard?.writeText(step.codes.join("\n"))}>
              Copy the codes
            </button>
            <button type="button" className="button primary" onClick={() => setStep({ kind: "idle" })}>
              I saved them
            </button>
          </div>
        </div>
      )}

      {step.kind === "enrolling" && (
        <form onSubmit={confirm} className="stack-tight">
          <p>
            Scan this QR code with your authenticator app (or type the key below into it), then type the code it shows.
          </p>
          <div className="totp-enrolment">
            {step.qrSvg && (
              <div
                className="totp-qr"
                role="img"
                aria-label="QR code of the secret for your authenticator app"
                // The qrcode library's own markup, from our URI: no user-controlled HTML.
                dangerouslySetInnerHTML={{ __html: step.qrSvg }}
              />
            )}
            <div>
              <p className="label">Key</p>
              <p>
                <code data-testid="totp-secret">{step.enrolment.secret}</code>
              </p>
            </div>
          </div>
          <FormField
            label="Code from the app"
            name="totp_code"
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]{6,7}"
            required
          />
          <div className="actions">
            <button type="submit" className="button primary inline" disabled={pending}>
              {pending ? "Checking…" : "Turn on"}
            </button>
            <button type="button" className="button" onClick={() => setStep({ kind: "idle" })}>
              Cancel
            </button>
          </div>
        </form>
      )}

      {status && step.kind === "idle" && !status.totp_enabled && (
        <div className="actions">
          <button type="button" className="button primary inline" onClick={() => void start()} disabled={pending}>
            Set up an authenticator app
          </button>
        </div>
      )}

      {status && status.totp_enabled && step.kind === "idle" && (
        <>
          <p role="status">
            <strong>On</strong>
            {status.enabled_at && <> since {new Date(status.enabled_at).toLocaleDateString()}</>} ·{" "}
            {status.recovery_codes_left} recovery code{status.recovery_codes_left === 1 ? "" : "s"} left
          </p>
          <div className="actions">
            <button type="button" className="button" onClick={() => void regenerate()} disabled={pending}>
              New recovery codes
            </button>
            <button type="button" className="button danger" onClick={() => void disable()} disabled={pending}>
              Turn off
            </button>
          </div>
        </>
      )}
    </section>
  );
}
