import type { ReactNode } from "react";
import "./globals.css";

export const metadata = { title: "Sign-in system", description: "Bearer tokens that survive refreshes and restarts" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
