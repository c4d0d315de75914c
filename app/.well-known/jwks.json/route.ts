import { route } from "@/lib/api/endpoint";
import { jwks } from "@/lib/api/endpoints/well-known";
import { JWKS_CACHE_CONTROL, publishedKeySet } from "@/lib/auth/metadata";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  jwks.handler(async () =>
    Response.json(await publishedKeySet(), {
      headers: { "Cache-Control": JWKS_CACHE_CONTROL, "Access-Control-Allow-Origin": "*", "Content-Type": "application/jwk-set+json" },
    }),
  ),
);
