"use client";
import { signIn } from "next-auth/react";
import type { LinkedAccountPublicT } from "@/lib/schemas";
import { apiJson, ApiError } from "@/lib/client/api";
import { useApiList } from "@/lib/client/use-api-list";
import { ReauthCancelledError, useReauth } from "./reauth-provider";
import { FormError } from "./form-error";

/**
 * Provider accounts that sign in as this user without the password, each with a remove button, and a
 * button to link one. Signing out everywhere and changing the password leave them in place, so they
 * are shown next to those actions.
 */
export function LinkedAccounts({
  refreshKey,
  oidc,
  onRemoved,
}: {
  refreshKey: string;
  oidc: { id: string; name: string } | null;
  onRemoved: () => void;
}) {
  const withReauth = useReauth();
  const { items: accounts, error, setError, reload } = useApiList<LinkedAccountPublicT>(
    "/api/v1/users/me/accounts",
    refreshKey,
  );

  async function remove(id: string) {
    setError(null);
    try {
      // A linked account is a way in: removing one needs the password again (asked for in a dialog).
      await withReauth(() => apiJson(`/api/v1/users/me/accounts/${encodeURIComponent(id)}`, { method: "DELETE" }));
      onRemoved();
    } catch (e) {
      if (e instanceof ApiError || e instanceof ReauthCancelledError) setError(e.message);
    }
    await reload();
  }

  return (
    <section className="card" aria-labelledby="linked-heading">
      <h2 id="linked-heading">Linked sign-in methods</h2>
      <p className="muted small-print">
        Each of these signs in as you without your password, even after you change it or sign out everywhere.
        Remove any you do not recognise: that also signs out every other browser and token.
      </p>
      <FormError message={error} />
      {!accounts && !error && <p className="muted">Loading…</p>}
      {accounts && accounts.length === 0 && <p className="muted">None: you sign in with your password only.</p>}
      {accounts && accounts.length > 0 && (
        <ul className="sessions" data-testid="linked-accounts">
          {accounts.map((a) => (
            <li key={a.id} className="session">
              <div>
                <strong>{a.provider_name}</strong>
                <div className="muted small-print">
                  account {a.provider_account_id} · linked {new Date(a.linked_at).toLocaleString()}
                </div>
              </div>
              <button type="button" className="button small danger" onClick={() => remove(a.id)}>
                Remove<span className="visually-hidden"> {a.provider_name} account {a.provider_account_id}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {oidc && (
        <div className="actions">
          <button
            type="button"
            className="button"
            onClick={() => signIn(oidc.id, { redirectTo: "/login/complete?next=%2Fprofile" })}
          >
            Link {oidc.name}
          </button>
        </div>
      )}
    </section>
  );
}
