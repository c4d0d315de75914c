export function HowItWorks() {
  return (
    <main className="container">
      <h1>Sign-in system</h1>
      <p>
        Log in at <code>POST /api/v1/login/access-token</code> with your email and password, get a bearer
        token, and send it as <code>Authorization: Bearer &lt;token&gt;</code>. Every protected endpoint checks
        the signature, the expiry, that the token was not revoked and that its user is active.
      </p>
      <p>
        Tokens are signed with a secret kept in the data folder and revocations are stored in the database, so
        a token keeps working across refreshes and server restarts for exactly as long as it should.
      </p>
      <p>
        The API is described at <a href="/api/openapi.json">/api/openapi.json</a>.
      </p>
    </main>
  );
}
