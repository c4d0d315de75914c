/**
 * Every endpoint declaration, imported for the OpenAPI document (lib/api/openapi.ts) and the
 * route ↔ declaration check (tests/unit/routes.test.ts). A new endpoints module is listed here.
 */
import "./login";
import "./users";
import "./sessions";
import "./utils";
import "./email";
import "./well-known";
import "./mfa";
import "./passkeys";
import "./private";

export { declarations } from "../endpoint";
