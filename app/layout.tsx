import type { ReactNode } from "react";
import { AuthProvider } from "@/components/auth-provider";
import { SiteHeader } from "@/components/site-header";
import "./globals.css";

export const metadata = { title: "Sign-in system", description: "Bearer tokens that survive refreshes and restarts" };

export default function RootLayout({ children }: { children: ReactNode }) {
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
