// Another service that accepts the sign-in system's access tokens, verifying them offline against the
// published keys: no shared secret, no call to the sign-in system per request.
//
//   ISSUER=http://localhost:3000 PORT=4000 node examples/resource-server/server.mjs
//   curl -H "Authorization: Bearer $ACCESS_TOKEN" http://127.0.0.1:4000/
//
// Offline verification accepts a token until it expires: a token revoked at the sign-in system still
// passes here for the rest of its lifetime (ACCESS_TOKEN_EXPIRE_MINUTES). See docs/api.md.
import http from "node:http";
import { createRemoteJWKSet, jwtVerify } from "jose";

const issuer = process.env.ISSUER ?? "http://localhost:3000";
// Fetched on first use, cached, and fetched again when a token names a key it does not know (rotation).
const keys = createRemoteJWKSet(new URL("/.well-known/jwks.json", issuer));

http
  .createServer(async (req, res) => {
    const token = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? "")?.[1] ?? "";
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer,
        audience: "signin-system-api",
        typ: "at+jwt",
        algorithms: ["EdDSA", "ES256"],
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ sub: payload.sub, client_id: payload.client_id, exp: payload.exp }));
    } catch (error) {
      res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Bearer error="invalid_token"' });
      res.end(JSON.stringify({ detail: `Invalid token (${error.code ?? "malformed"})` }));
    }
  })
  .listen(Number(process.env.PORT ?? 4000), "127.0.0.1", function () {
    console.log(`Resource server on http://127.0.0.1:${this.address().port}, trusting ${issuer}`);
  });
