import Link from "next/link";
import { HomeMainAction } from "./home-main-action";

export function HowItWorks() {
  return (
    <div className="stack">
      <section className="card">
        <h1>Sign-in system</h1>
        <p>
          Sign in with your email and password (or your organisation&apos;s OpenID Connect provider, when configured).
          The page then gets an <strong>access token</strong> and keeps it in this browser&apos;s{" "}
          <code>localStorage</code>; every page reads it back on load, so a refresh or a new tab never signs you out.
        </p>
        <ol className="steps">
          <li>
            <strong>Login</strong>: <code>POST /api/v1/login/access-token</code> with an OAuth2 password form returns a
            bearer JWT.
          </li>
          <li>
            <strong>Bearer</strong>: every API call sends <code>Authorization: Bearer &lt;token&gt;</code>.
          </li>
          <li>
            <strong>Current user</strong>: the server checks the signature and expiry, that the token was not revoked,
            and that its user is active.
          </li>
        </ol>
        <p>
          The signing secret is kept on the server and revocations live in the database, so tokens survive server
          restarts and stay revoked once revoked. When a token expires, a new one is minted from your sign-in session.
        </p>
        <p className="actions">
          <HomeMainAction />
          <Link href="/docs" className="button">
            API docs
          </Link>
        </p>
      </section>
    </div>
  );
}
