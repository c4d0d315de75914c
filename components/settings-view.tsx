"use client";
import Link from "next/link";
import { useState } from "react";
import { useRequireAuth } from "./auth-provider";
import { ProfileForm } from "./profile-form";
import { ChangePasswordForm } from "./change-password-form";
import { TwoFactorSettings } from "./two-factor-settings";
import { PasskeySettings } from "./passkey-settings";
import { AuthEvents } from "./auth-events";
import { DangerZone } from "./danger-zone";
import { PageLoading } from "./page-loading";

/**
 * The account: the profile form, the password, recent activity and the danger zone. How the sign-in
 * works (token, sessions, linked sign-in methods, signing out) lives on /profile: one home for each thing.
 */
export function SettingsView() {
  const auth = useRequireAuth();
  const [version, setVersion] = useState(0);
  if (auth.status !== "signed-in") return <PageLoading label="Loading your settings…" />;
  const { user, token } = auth;
  const refreshKey = `${token.jti}:${version}`;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Settings</h1>
          <p className="muted">
            Your name and email, password, two-factor authentication, passkeys, recent activity and account. Your sessions, access token and linked
            sign-in methods are on <Link href="/profile">your profile</Link>.
          </p>
        </div>
      </div>
      <ProfileForm user={user} />
      <ChangePasswordForm onChanged={() => setVersion((v) => v + 1)} />
      <TwoFactorSettings onChanged={() => setVersion((v) => v + 1)} />
      <PasskeySettings onChanged={() => setVersion((v) => v + 1)} />
      <AuthEvents refreshKey={refreshKey} />
      <DangerZone user={user} />
    </div>
  );
}
