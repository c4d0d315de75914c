// Unknown paths under /.well-known answer like the API's (JSON 404), not with the HTML not-found page.
import { unknownApiPath } from "@/lib/api/endpoint";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = unknownApiPath();
