// The fields this app adds to Auth.js's session and JWT.
import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface Session {
    sid?: string;
    userId?: string;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    sid?: string;
    /** Set when the cookie's Session row has ended (lib/accounts/authjs.ts decodeSessionCookie): no user. */
    ended?: "revoked" | "expired";
  }
}
