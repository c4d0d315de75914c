import { JWKS_CACHE_CONTROL, jwks } from "@/lib/auth/metadata";
import { handle, otherMethods } from "@/lib/http/handler";

export const GET = handle(async () =>
  Response.json(await jwks(), {
    headers: { "Cache-Control": JWKS_CACHE_CONTROL, "Access-Control-Allow-Origin": "*", "Content-Type": "application/jwk-set+json" },
  }),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
