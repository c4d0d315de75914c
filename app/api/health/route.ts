import { checkHealth } from "@/lib/health";
import { handle, json } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

export const GET = handle(async () => json(await checkHealth()));
