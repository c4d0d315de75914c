import { openApiDocument } from "@/lib/api/openapi";
import { otherMethods } from "@/lib/http/handler";

export const GET = () => Response.json(openApiDocument());

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
