import { route } from "@/lib/api/endpoint";
import { health } from "@/lib/api/endpoints/utils";
import { checkHealth } from "@/lib/api/health";
import { json } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(health.handler(async () => json(await checkHealth())));
