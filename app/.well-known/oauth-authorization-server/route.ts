import { route } from "@/lib/api/endpoint";
import { authorizationServerMetadata } from "@/lib/api/endpoints/well-known";
import { METADATA_CACHE_CONTROL, metadataFor } from "@/lib/auth/metadata";
import { getConfig } from "@/lib/config";
import { publicOrigin } from "@/lib/http/client";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  authorizationServerMetadata.handler(async ({ request }) =>
    Response.json(metadataFor(getConfig().issuer, publicOrigin(request)), {
      // The issuer is the configuration's; the endpoints are at the URL this request came to.
      headers: {
        "Cache-Control": METADATA_CACHE_CONTROL,
        "Access-Control-Allow-Origin": "*",
        Vary: "Host, X-Forwarded-Host, X-Forwarded-Proto",
      },
    }),
  ),
);
