// Types for body-limits.mjs (plain JavaScript so that scripts/serve.mjs and next.config.mjs can import it).
export const API_BODY_LIMIT: number;
export const AUTHJS_BODY_LIMIT: number;
export const PAGE_BODY_LIMIT: number;
export function bodyLimitFor(pathname: string): { family: "api" | "authjs" | "page"; limit: number };
export function describeLimit(bytes: number): string;
