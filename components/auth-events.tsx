"use client";
import type { AuthEventPublicT } from "@/lib/schemas";
import { useCallback, useEffect, useRef, useState } from "react";
import { apiJson, ApiError } from "@/lib/client/api";
import { FormError } from "./form-error";

const labels: Record<string, string> = {
  login_success: "Signed in",
  login_failure: "Failed sign-in attempt",
  login_throttled: "Sign-in refused: too many failed attempts",
  token_issued: "Access token issued",
  token_revoked: "Session revoked",
  password_changed: "Password changed",
  signed_out_everywhere: "Signed out everywhere",
  account_linked: "Sign-in method linked",
  account_unlinked: "Sign-in method removed",
  password_check_failure: "Wrong current password given",
  password_check_throttled: "Password check refused: too many failed attempts",
  password_change_refused: "Password change refused: new password same as current",
  email_changed: "Email address changed",
  email_change_refused: "Email change refused: address already in use",
  email_change_throttled: "Email change refused: too many changes",
  reauthenticated: "Identity confirmed for a sensitive change",
  email_change_requested: "Email change asked: waiting for the new address to confirm",
  email_change_cancelled: "Email change undone from the old address; every device signed out",
  email_changed_by_admin: "Email address changed by an administrator",
  password_recovery_requested: "Password reset link mailed",
  password_reset: "Password set through a mailed link",
  email_verified: "Email address verified",
  email_send_failed: "A mail could not be delivered",
  mfa_enrolled: "Two-factor authentication turned on",
  mfa_disabled: "Two-factor authentication turned off",
  mfa_reset: "Two-factor authentication reset by an administrator",
  mfa_challenge_failed: "Wrong two-factor code given",
  recovery_code_used: "Recovery code used",
  recovery_codes_regenerated: "New recovery codes made",
  passkey_registered: "Passkey added",
  passkey_removed: "Passkey removed",
};

const methods: Record<string, string> = {
  password: "API password login",
  password_totp: "API password login with a code",
  credentials: "sign-in page",
  oidc: "provider sign-in",
  passkey: "passkey",
  session: "browser sign-in",
  password_change: "password change",
  reauthentication: "password confirmation",
  account_deletion: "account deletion",
  admin: "administrator",
  mfa: "two-factor sign-in",
  reset: "reset link",
  invite: "invitation link",
};

/** Events of each kind (sign-ins and changes; failed attempts) per page: the card stays short. */
const PAGE_SIZE = 10;

type EventsPage = { data: AuthEventPublicT[]; has_more: boolean };

const newestFirst = (a: AuthEventPublicT, b: AuthEventPublicT) => Date.parse(b.created_at) - Date.parse(a.created_at);

/**
 * The account's recent authentication events (the audit trail), newest first, a page at a time ("Show
 * more" adds the next): the server pages sign-ins and security changes apart from failed attempts, so
 * many failures never hide a sign-in; repeated refusals come as one event with a count. Each page is
 * merged into the list and the whole list sorted again, since the two kinds page separately.
 */
export function AuthEvents({ refreshKey }: { refreshKey: string }) {
  const [events, setEvents] = useState<AuthEventPublicT[] | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const pages = useRef(0);

  const fetchPage = useCallback(
    (page: number) => apiJson<EventsPage>(`/api/v1/users/me/events?skip=${page * PAGE_SIZE}&limit=${PAGE_SIZE}`),
    [],
  );

  useEffect(() => {
    // A refresh starts again from the first page; an answer that arrives after a newer load began is dropped.
    let current = true;
    fetchPage(0)
      .then((page) => {
        if (!current) return;
        pages.current = 1;
        setEvents(page.data);
        setHasMore(page.has_more);
        setError(null);
      })
      .catch((e) => current && e instanceof ApiError && setError(e.message));
    return () => {
      current = false;
    };
  }, [fetchPage, refreshKey]);

  async function showMore() {
    setLoadingMore(true);
    try {
      const page = await fetchPage(pages.current);
      pages.current += 1;
      setEvents((shown) => {
        const known = new Set((shown ?? []).map((e) => e.id));
        return [...(shown ?? []), ...page.data.filter((e) => !known.has(e.id))].sort(newestFirst);
      });
      setHasMore(page.has_more);
    } catch (e) {
      if (e instanceof ApiError) setError(e.message);
    } finally {
      setLoadingMore(false);
    }
  }

  return (
    <section className="card" aria-labelledby="events-heading">
      <h2 id="events-heading">Recent activity</h2>
      <FormError message={error} />
      {!events && !error && <p className="muted">Loading…</p>}
      {events && events.length === 0 && <p className="muted">No activity yet.</p>}
      {events && events.length > 0 && (
        <ul className="sessions" data-testid="auth-events">
          {events.map((e) => (
            <li key={e.id} className="session" data-event-type={e.type}>
              <div>
                <strong>{labels[e.type] ?? e.type}</strong>
                {e.count > 1 && <> ×{e.count}</>}
                <div className="muted small-print">
                  {new Date(e.created_at).toLocaleString()}
                  {e.count > 1 && <> to {new Date(e.last_at).toLocaleString()}</>} · {e.device}
                  {e.ip && <> · {e.ip}</>}
                  {e.method && methods[e.method] && <> · {methods[e.method]}</>}
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
      {events && hasMore && (
        <p className="actions">
          <button type="button" className="button" disabled={loadingMore} onClick={() => void showMore()}>
            {loadingMore ? "Loading…" : "Show more"}
          </button>
        </p>
      )}
    </section>
  );
}
