/**
 * What other services read to accept our tokens: the public keys (JWKS, RFC 7517) and the authorization
 * server metadata (RFC 8414). Both are public and cacheable; the keys briefly, because a key rotated in
 * signs at once (a verifier that meets an unknown `kid` fetches the set again, as jose's
 * createRemoteJWKSet does), the metadata for longer.
 */
import { publishedKeys } from "./key-set";
import { SIGNING_ALGORITHMS } from "./signing-keys";

export const JWKS_CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=60";
export const METADATA_CACHE_CONTROL = "public, max-age=3600";

export async function publishedKeySet() {
  return { keys: await publishedKeys() };
}

/**
 * The metadata: `issuer` is what our tokens name (lib/config/index.ts); the endpoints are at `origin`, the URL
 * the request came to, so that they are reachable from where the client is (the same URL when AUTH_URL
 * is set, the public one).
 */
export function metadataFor(issuer: string, origin: string) {
  return {
    issuer,
    token_endpoint: `${origin}/api/v1/login/access-token`,
    jwks_uri: `${origin}/.well-known/jwks.json`,
    revocation_endpoint: `${origin}/api/v1/login/revoke`,
    grant_types_supported: ["password", "refresh_token"],
    // Clients are public: nothing authenticates them (RFC 8414 §2, "none").
    token_endpoint_auth_methods_supported: ["none"],
    revocation_endpoint_auth_methods_supported: ["none"],
    // No authorization endpoint: no browser redirect flows are offered to other clients.
    response_types_supported: [],
    access_token_signing_alg_values_supported: [...SIGNING_ALGORITHMS],
    service_documentation: `${origin}/docs`,
  };
}
