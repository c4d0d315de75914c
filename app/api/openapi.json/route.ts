import { route } from "@/lib/api/endpoint";
import { openApi } from "@/lib/api/endpoints/utils";
import { openApiDocument } from "@/lib/api/openapi";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(openApi.handler(async () => Response.json(openApiDocument())));
