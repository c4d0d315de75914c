import { route } from "@/lib/api/endpoint";
import { liveness } from "@/lib/api/endpoints/utils";
import { json } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(liveness.handler(async () => json({ status: "ok" })));
