// Unknown API paths (under /api, /api/v1 included) answer in the API's own shape instead of an HTML 404 page.
import { unknownApiPath } from "@/lib/api/endpoint";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = unknownApiPath();
