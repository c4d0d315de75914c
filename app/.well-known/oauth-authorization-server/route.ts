import { route } from "@/lib/api/endpoint";
import { authorizationServerMetadata } from "@/lib/api/endpoints/well-known";
import { METADATA_CACHE_CONTROL, metadataFor } from "@/lib/auth/metadata";
import { publicOrigin } from "@/lib/http/client";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  authorizationServerMetadata.handler(async ({ request }) =>
    Response.json(metadataFor(publicOrigin(request)), {
      // The issuer is the URL this request came to, unless AUTH_URL pins it.
      headers: {
        "Cache-Control": METADATA_CACHE_CONTROL,
        "Access-Control-Allow-Origin": "*",
        Vary: "Host, X-Forwarded-Host, X-Forwarded-Proto",
      },
    }),
  ),
);
