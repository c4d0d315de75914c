"use client";
import { useState } from "react";
import { useRequireAuth } from "./auth-provider";
import { ProfileForm } from "./profile-form";
import { ChangePasswordForm } from "./change-password-form";
import { SessionsList } from "./sessions-list";
import { AuthEvents } from "./auth-events";
import { DangerZone } from "./danger-zone";
import { PageLoading } from "./page-loading";

/** The account's settings: profile, password, sessions and devices, recent activity, danger zone. */
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
          <p className="muted">Your profile, password, sessions and account.</p>
        </div>
      </div>
      <ProfileForm user={user} />
      <ChangePasswordForm onChanged={() => setVersion((v) => v + 1)} />
      <SessionsList refreshKey={refreshKey} />
      <AuthEvents refreshKey={refreshKey} />
      <DangerZone user={user} />
    </div>
  );
}
