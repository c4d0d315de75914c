"use client";
import Link from "next/link";
import { useEffect, useState, type ReactNode } from "react";
import { useAuth } from "./auth-provider";
import { safeNext } from "@/lib/client/navigation";
import { signOut } from "@/lib/client/token-store";

/**
 * The sign-in and sign-up pages for a visitor who is already signed in: rather than an empty form that
 * would quietly start a second sign-in, "You are signed in as …" with Continue (on to `next`) and Switch
 * account (sign out, then the form). Only a visitor who arrived signed in is asked: a sign-in made with
 * the form itself moves on without this showing in between.
 */
export function SignedInChoice({ next, children }: { next?: string; children: ReactNode }) {
  const auth = useAuth();
  const [arrived, setArrived] = useState<"unknown" | "signed-in" | "signed-out">("unknown");
  const [switching, setSwitching] = useState(false);

  useEffect(() => {
    if (arrived !== "unknown" || auth.status === "loading") return;
    setArrived(auth.status);
  }, [arrived, auth.status]);

  if (arrived !== "signed-in" || auth.status !== "signed-in") return children;

  async function switchAccount() {
    setSwitching(true);
    await signOut();
    setArrived("signed-out");
    setSwitching(false);
  }

  return (
    <div className="card narrow">
      <h1>You are signed in</h1>
      <p>
        You are signed in as <strong>{auth.user.email}</strong>.
      </p>
      <p className="actions">
        <Link href={safeNext(next, window.location.origin)} className="button primary">
          Continue
        </Link>
        <button type="button" className="button" disabled={switching} onClick={() => void switchAccount()}>
          {switching ? "Signing out…" : "Switch account"}
        </button>
      </p>
    </div>
  );
}
