"use client";
import Link from "next/link";
import { useState } from "react";
import { useRequireAuth } from "./auth-provider";
import { TokenCard } from "./token-card";
import { SessionsList } from "./sessions-list";
import { LinkedAccounts } from "./linked-accounts";
import { PageLoading } from "./page-loading";
import { EmailVerificationStatus } from "./email-verification-status";
import { signOut } from "@/lib/client/token-store";
import { SignOutEverywhereDialog } from "./sign-out-everywhere-dialog";

/**
 * How your sign-in works: who you are, the access token this browser holds with its countdown, the
 * live sessions, the linked sign-in methods, and signing out. The account itself (name and email,
 * password, recent activity, deletion) lives on /settings: one home for each thing.
 */
export function ProfileView({ oidc }: { oidc: { id: string; name: string } | null }) {
  const auth = useRequireAuth();
  const [busy, setBusy] = useState(false);
  const [sessionsVersion, setSessionsVersion] = useState(0);
  const [confirmEverywhere, setConfirmEverywhere] = useState(false);

  if (auth.status !== "signed-in") return <PageLoading label="Loading your profile…" />;

  async function leave() {
    setBusy(true);
    await signOut();
    window.location.assign("/login?signed_out=1");
  }

  const { user, token } = auth;
  return (
    <div className="stack">
      <section className="card" aria-labelledby="profile-heading">
        <h1 id="profile-heading">{user.full_name || user.email}</h1>
        <dl className="facts">
          <dt>Email</dt>
          <dd>
            <span data-testid="profile-email">{user.email}</span> <EmailVerificationStatus verified={user.is_verified} />
          </dd>
          <dt>Full name</dt>
          <dd>{user.full_name || <span className="muted">not set</span>}</dd>
          <dt>Account</dt>
          <dd>
            {user.is_active ? "active" : "inactive"}
            {user.is_superuser && ", superuser"}
          </dd>
          <dt>Member since</dt>
          <dd>{new Date(user.created_at).toLocaleDateString()}</dd>
        </dl>
        <div className="actions">
          <Link href="/settings" className="button">
            Account settings
          </Link>
          <button type="button" className="button" disabled={busy} onClick={() => leave()}>
            Sign out
          </button>
          <button type="button" className="button danger" disabled={busy} onClick={() => setConfirmEverywhere(true)}>
            Sign out everywhere
          </button>
        </div>
      </section>
      <SignOutEverywhereDialog open={confirmEverywhere} onOpenChange={setConfirmEverywhere} />
      <TokenCard token={token} />
      <SessionsList refreshKey={`${token.jti}:${sessionsVersion}`} />
      <LinkedAccounts
        refreshKey={`${token.jti}:${sessionsVersion}`}
        oidc={oidc}
        onRemoved={() => setSessionsVersion((v) => v + 1)}
      />
    </div>
  );
}
