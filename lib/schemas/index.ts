/**
 * The zod schemas of the API, one module per concept: handlers validate requests with them, forms reuse
 * them, services take their parsed types, and the OpenAPI document is generated from them.
 */
export * from "./fields";
export * from "./users";
export * from "./tokens";
export * from "./email";
export * from "./activity";
export * from "./errors";
export * from "./mfa";
export * from "./passkeys";
