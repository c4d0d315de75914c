/** The token endpoint's two grants, as API clients use them. */
import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import type { ApiResponse, Server } from "./server";

export type Tokens = { access_token: string; refresh_token: string; expires_in: number; refresh_expires_in: number };

/** A password login (form); returns access and refresh token. */
export async function passwordLogin(server: Server, email: string, password: string, extra: Record<string, string> = {}) {
  const res = await server.api("/api/v1/login/access-token", { method: "POST", form: { username: email, password, ...extra } });
  assert.equal(res.status, 200, res.text);
  return res.body as Tokens;
}

/** The refresh grant, as a form (or JSON); `ip` speaks for another client through a trusted proxy. */
export function refresh(server: Server, refreshToken: string, options: { json?: boolean; ip?: string } = {}): Promise<ApiResponse> {
  const body = { grant_type: "refresh_token", refresh_token: refreshToken };
  return server.api("/api/v1/login/access-token", {
    method: "POST",
    ...(options.json ? { json: body } : { form: body }),
    headers: options.ip ? { "x-forwarded-for": options.ip } : {},
  });
}

export async function refreshed(server: Server, refreshToken: string): Promise<Tokens> {
  const res = await refresh(server, refreshToken);
  assert.equal(res.status, 200, res.text);
  return res.body as Tokens;
}

/** RFC 6749 §5.2 invalid_grant, with `detail` saying the same. */
export function assertInvalidGrant(res: ApiResponse) {
  assert.equal(res.status, 400, res.text);
  assert.equal(res.body.error, "invalid_grant", res.text);
  assert.equal(typeof res.body.error_description, "string");
  assert.equal(res.body.detail, res.body.error_description);
}

export const jti = (token: string) => decodeJwt(token).jti!;
