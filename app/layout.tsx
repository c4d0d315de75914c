import type { ReactNode } from "react";
import Link from "next/link";
import { headers } from "next/headers";
import { AuthProvider } from "@/components/auth-provider";
import { ReauthProvider } from "@/components/reauth-provider";
import { SiteHeader } from "@/components/site-header";
import { THEME_SCRIPT } from "@/lib/client/theme";
import "./globals.css";

export const metadata = { title: "Sign-in system", description: "Bearer tokens that survive refreshes and restarts" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Reading the request makes every page render per request, which the CSP nonce (proxy.ts) needs.
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return (
    // The inline script sets data-theme before React hydrates, hence the warning suppressed.
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* The saved theme, before the first paint (no flash of the other theme). */}
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <AuthProvider>
          <ReauthProvider>
          <SiteHeader />
          <main id="main" className="container">
            {children}
          </main>
          <footer className="site-footer">
            <div>
              <span>Sign-in system</span>
              <span>
                <Link href="/docs">API docs</Link> · <a href="/api/openapi.json">OpenAPI</a>
              </span>
            </div>
          </footer>
          </ReauthProvider>
        </AuthProvider>
      </body>
    </html>
  );
}
