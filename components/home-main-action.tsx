"use client";
import Link from "next/link";
import { useAuth } from "./auth-provider";

/**
 * The home page's main button, saying what it does: a signed-in visitor goes to their profile; anyone
 * else (and anyone while the sign-in is still being read back) is offered to sign in, and lands on the
 * profile afterwards.
 */
export function HomeMainAction() {
  const auth = useAuth();
  if (auth.status === "signed-in") {
    return (
      <Link href="/profile" className="button primary">
        Your profile
      </Link>
    );
  }
  return (
    <Link href="/login?next=%2Fprofile" className="button primary">
      Sign in
    </Link>
  );
}
