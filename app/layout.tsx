import type { ReactNode } from "react";
import { headers } from "next/headers";
import { AuthProvider } from "@/components/auth-provider";
import { SiteHeader } from "@/components/site-header";
import "./globals.css";

export const metadata = { title: "Sign-in system", description: "Bearer tokens that survive refreshes and restarts" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Reading the request makes every page render per request, which the CSP nonce (proxy.ts) needs.
  await headers();
  return (
    <html lang="en">
      <body>
        <AuthProvider>
          <SiteHeader />
          <main className="container">{children}</main>
        </AuthProvider>
      </body>
    </html>
  );
}
