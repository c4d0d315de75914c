"use client";
import Link from "next/link";
import { useAuth } from "./auth-provider";

export function SiteHeader() {
  const auth = useAuth();
  return (
    <header className="site-header">
      <nav aria-label="Main" className="site-nav">
        <Link href="/" className="brand">
          Sign-in system
        </Link>
        <Link href="/profile">Profile</Link>
        <Link href="/docs">API docs</Link>
      </nav>
      <div className="who" data-testid="who" aria-live="polite">
        {auth.status === "loading" && <span className="muted">Checking sign-in…</span>}
        {auth.status === "signed-in" && (
          <span>
            Signed in as <strong>{auth.user.email}</strong>
          </span>
        )}
        {auth.status === "signed-out" && (
          <>
            <Link href="/login">Sign in</Link>
            <Link href="/signup" className="button small">
              Sign up
            </Link>
          </>
        )}
      </div>
    </header>
  );
}
