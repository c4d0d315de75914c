"use client";
/**
 * The one header of every page: the brand, the navigation (the account pages once signed in, Admin for
 * superusers only), the theme picker, and the user menu or the sign-in links.
 */
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useAuth } from "./auth-provider";
import { ThemeMenu } from "./theme-menu";
import { UserMenu } from "./user-menu";

function NavLink({ href, children }: { href: string; children: React.ReactNode }) {
  const pathname = usePathname();
  const current = pathname === href || pathname.startsWith(`${href}/`);
  return (
    <Link href={href} aria-current={current ? "page" : undefined}>
      {children}
    </Link>
  );
}

export function SiteHeader() {
  const auth = useAuth();
  const signedIn = auth.status === "signed-in";
  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link href="/" className="brand">
          {/* eslint-disable-next-line @next/next/no-img-element -- a 1.5 rem SVG, nothing to optimise */}
          <img src="/icon.svg" alt="" width={24} height={24} />
          <span className="brand-text">Sign-in system</span>
        </Link>
        <nav aria-label="Main" className="site-nav">
          {signedIn && <NavLink href="/profile">Profile</NavLink>}
          {signedIn && <NavLink href="/settings">Settings</NavLink>}
          <NavLink href="/docs">API docs</NavLink>
          {signedIn && auth.user.is_superuser && <NavLink href="/admin">Admin</NavLink>}
        </nav>
        <div className="who" data-testid="who">
          <ThemeMenu />
          {auth.status === "loading" && (
            <span className="who-placeholder">
              <span className="visually-hidden">Checking sign-in…</span>
            </span>
          )}
          {signedIn && <UserMenu user={auth.user} />}
          {auth.status === "signed-out" && (
            <>
              <Link href="/login" className="button small">
                Sign in
              </Link>
              <Link href="/signup" className="button small primary">
                Sign up
              </Link>
            </>
          )}
        </div>
      </div>
    </header>
  );
}
