/** What other services read to accept our tokens: the public keys and the authorization server metadata. */
import { endpoint } from "../endpoint";
import { ok } from "../responses";
import { AuthorizationServerMetadata, JsonWebKeySet } from "../../schemas";

export const jwks = endpoint({
  method: "GET",
  path: "/.well-known/jwks.json",
  tag: "well-known",
  operationId: "well_known-jwks",
  summary: "The public keys that sign access tokens (JWKS)",
  description:
    "Every key a live access token was signed with, and the current one. Verify a token's signature " +
    "with the key its `kid` names, and check `iss`, `aud` (`signin-system-api`), `exp` and `typ` (`at+jwt`). " +
    "Cacheable (`Cache-Control: public, max-age=300`); fetch it again when a token names an unknown `kid`.",
  auth: "none",
  responses: { "200": ok("The key set", JsonWebKeySet) },
});

export const authorizationServerMetadata = endpoint({
  method: "GET",
  path: "/.well-known/oauth-authorization-server",
  tag: "well-known",
  operationId: "well_known-oauth_authorization_server",
  summary: "Authorization server metadata (RFC 8414)",
  description: "The issuer, the token, revocation and key set URLs, and the grants offered. Cacheable.",
  auth: "none",
  responses: { "200": ok("The metadata", AuthorizationServerMetadata) },
});
