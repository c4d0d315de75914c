import { METADATA_CACHE_CONTROL, authorizationServerMetadata } from "@/lib/auth/metadata";
import { publicOrigin } from "@/lib/http/client";
import { handle, otherMethods } from "@/lib/http/handler";

export const GET = handle(async (request) =>
  Response.json(authorizationServerMetadata(publicOrigin(request)), {
    // The issuer is the URL this request came to unless AUTH_URL pins it.
    headers: { "Cache-Control": METADATA_CACHE_CONTROL, "Access-Control-Allow-Origin": "*", Vary: "Host, X-Forwarded-Host, X-Forwarded-Proto" },
  }),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
