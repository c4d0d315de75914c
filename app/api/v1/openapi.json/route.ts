import { route } from "@/lib/api/endpoint";
import { openApiV1 } from "@/lib/api/endpoints/utils";
import { openApiDocument } from "@/lib/api/openapi";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(openApiV1.handler(async () => Response.json(openApiDocument())));
