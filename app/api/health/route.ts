import { checkHealth } from "@/lib/health";
import { handle, json, otherMethods } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

export const GET = handle(async () => json(await checkHealth()));

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
