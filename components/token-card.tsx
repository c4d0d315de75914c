"use client";
import { useEffect, useState } from "react";
import type { StoredToken } from "@/lib/client/token-store";

function formatRemaining(seconds: number): string {
  if (seconds <= 0) return "expired";
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m > 0 ? `${m} min ${String(s).padStart(2, "0")} s` : `${s} s`;
}

/** The access token's life: issued, expires, a live countdown, and where it is kept. */
export function TokenCard({ token }: { token: StoredToken }) {
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    const timer = setInterval(() => setNow(Math.floor(Date.now() / 1000)), 1000);
    return () => clearInterval(timer);
  }, []);
  const remaining = token.exp - now;
  return (
    <section className="card" aria-labelledby="token-heading">
      <h2 id="token-heading">Access token</h2>
      <dl className="facts">
        <dt>Issued</dt>
        <dd data-testid="token-issued">{new Date(token.iat * 1000).toLocaleString()}</dd>
        <dt>Expires</dt>
        <dd data-testid="token-expires">{new Date(token.exp * 1000).toLocaleString()}</dd>
        <dt>Time left</dt>
        <dd data-testid="token-countdown" aria-live="off">
          {formatRemaining(remaining)}
        </dd>
        <dt>Kept in</dt>
        <dd>
          <code>localStorage[&quot;access_token&quot;]</code> in this browser, and sent with every API call as{" "}
          <code>Authorization: Bearer &lt;token&gt;</code>. When it expires a new one is minted from your sign-in session (an
          httpOnly cookie), so refreshing or reopening the page keeps you signed in.
        </dd>
      </dl>
    </section>
  );
}
