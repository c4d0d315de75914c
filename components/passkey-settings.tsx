"use client";
/**
 * Passkeys on /settings: the account's passkeys (name, added, last used), adding one under a name, and
 * removing one. Adding and removing are sensitive: the API asks for a fresh proof, which `withReauth`
 * gets from the password dialog. A passkey signs in without the password, and is a second factor of
 * the password sign-in.
 */
import { useCallback, useEffect, useState, type FormEvent } from "react";
import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/browser";
import type { PasskeyPublicT } from "@/lib/schemas";
import { apiJson } from "@/lib/client/api";
import { useForm } from "@/lib/client/use-form";
import { browserSupportsWebAuthn, PasskeyCancelledError, registrationResponse } from "@/lib/client/passkeys";
import { FormField } from "./form-field";
import { ReauthCancelledError, useReauth } from "./reauth-provider";

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "never");

export function PasskeySettings({ onChanged }: { onChanged: () => void }) {
  const withReauth = useReauth();
  const [passkeys, setPasskeys] = useState<PasskeyPublicT[] | null>(null);
  const [supported, setSupported] = useState(true);
  const [notice, setNotice] = useState<string | null>(null);
  const { errors, setErrors, pending, submit } = useForm();

  const reload = useCallback(async () => {
    try {
      setPasskeys((await apiJson<{ data: PasskeyPublicT[] }>("/api/v1/users/me/passkeys")).data);
    } catch {
      setErrors({ form: "Your passkeys could not be loaded." });
    }
  }, [setErrors]);
  useEffect(() => {
    setSupported(browserSupportsWebAuthn());
    void reload();
  }, [reload]);

  const add = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const name = String(new FormData(form).get("passkey_name") ?? "").trim();
    setNotice(null);
    await submit(async () => {
      try {
        const options = await withReauth(() =>
          apiJson<PublicKeyCredentialCreationOptionsJSON>("/api/v1/users/me/passkeys/registration-options", { method: "POST" }),
        );
        const response = await registrationResponse(options);
        const added = await apiJson<PasskeyPublicT>("/api/v1/users/me/passkeys", { method: "POST", body: JSON.stringify({ name, response }) });
        form.reset();
        setNotice(`Passkey “${added.name}” added.`);
      } catch (error) {
        if (error instanceof PasskeyCancelledError || error instanceof ReauthCancelledError) throw new Error(`Not added: ${error.message}`);
        throw error;
      }
      await reload();
      onChanged();
    });
  };

  const remove = (passkey: PasskeyPublicT) => {
    setNotice(null);
    return submit(async () => {
      await withReauth(() => apiJson(`/api/v1/users/me/passkeys/${encodeURIComponent(passkey.id)}`, { method: "DELETE" }));
      setNotice(`Passkey “${passkey.name}” removed.`);
      await reload();
      onChanged();
    });
  };

  return (
    <section className="card" aria-labelledby="passkeys-heading" data-testid="passkeys">
      <h2 id="passkeys-heading">Passkeys</h2>
      <p className="muted small-print">
        A passkey signs you in with your device&apos;s screen lock (fingerprint, face, PIN) instead of a password, and
        is asked for as a second step when you sign in with your password.
      </p>
      {notice && (
        <p className="notice success" role="status">
          {notice}
        </p>
      )}
      {errors.form && (
        <p className="form-error" role="alert">
          {errors.form}
        </p>
      )}
      {passkeys === null && !errors.form && <p className="muted">Loading…</p>}
      {passkeys && passkeys.length === 0 && <p className="muted">No passkeys yet.</p>}
      {passkeys && passkeys.length > 0 && (
        <ul className="sessions" data-testid="passkey-list">
          {passkeys.map((p) => (
            <li key={p.id} className="session">
              <div>
                <strong>{p.name}</strong>
                <p className="muted small-print">
                  Added {when(p.created_at)} · last used {when(p.last_used_at)}
                </p>
              </div>
              <button type="button" className="button small danger" disabled={pending} onClick={() => void remove(p)} aria-label={`Remove passkey ${p.name}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {supported ? (
        <form onSubmit={add} className="stack-tight passkey-add">
          <FormField label="Name of the new passkey" name="passkey_name" type="text" maxLength={60} placeholder="e.g. Work laptop" required />
          <div className="actions">
            <button type="submit" className="button primary inline" disabled={pending}>
              {pending ? "Waiting for your device…" : "Add a passkey"}
            </button>
          </div>
        </form>
      ) : (
        <p className="muted">This browser cannot make passkeys.</p>
      )}
    </section>
  );
}
