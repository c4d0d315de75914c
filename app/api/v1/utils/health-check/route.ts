import { route } from "@/lib/api/endpoint";
import { healthCheck } from "@/lib/api/endpoints/utils";
import { checkHealth } from "@/lib/api/health";
import { json } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  healthCheck.handler(async () => {
    await checkHealth();
    return json(true);
  }),
);
