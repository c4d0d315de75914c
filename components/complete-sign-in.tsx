"use client";
import { useEffect, useState } from "react";
import Link from "next/link";
import { mintFromSession } from "@/lib/client/token-store";
import { safeNext } from "@/lib/client/navigation";

/** After an OpenID Connect sign-in: trade the new session for an access token, then go on. */
export function CompleteSignIn({ next }: { next?: string }) {
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    void mintFromSession().then((result) => {
      if (result.ok) window.location.replace(safeNext(next, window.location.origin));
      else setFailed(true);
    });
  }, [next]);
  return (
    <div className="card narrow">
      {failed ? (
        <>
          <h1>Sign-in did not complete</h1>
          <p role="alert">No access token could be issued for this sign-in.</p>
          <Link href="/login">Back to sign in</Link>
        </>
      ) : (
        <>
          <h1>Finishing sign-in…</h1>
          <p className="muted">Getting your access token.</p>
        </>
      )}
    </div>
  );
}
