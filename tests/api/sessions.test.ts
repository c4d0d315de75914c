/** Live tokens of the current user: POST /logout, GET /sessions, DELETE /sessions/{id}. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { errorLocations, login, newUser, startServer, type Server } from "../helpers/server";

let server: Server;
before(async () => {
  server = await startServer();
});
after(() => server?.close());

type Session = {
  id: string;
  current: boolean;
  device: string;
  user_agent: string | null;
  created_at: string;
  expires_at: string;
};

const REVOKED = { detail: "Could not validate credentials", reason: "revoked" };
const me = (token: string) => server.api("/api/v1/users/me", { token });
const jti = (token: string) => decodeJwt(token).jti!;

describe("POST /logout", () => {
  test("revokes only the token sent; another token of the same user keeps working", async () => {
    const { token, email, password } = await newUser(server, "logout");
    const other = await login(server, email, password);
    const res = await server.api("/api/v1/logout", { method: "POST", token });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.revoked, 1);
    assert.equal(typeof res.body.message, "string");
    assert.match(res.headers.get("cache-control") ?? "", /no-store/);

    const after = await me(token);
    assert.equal(after.status, 401);
    assert.deepEqual(after.body, REVOKED);
    assert.equal((await me(other)).status, 200);
  });

  test('{"everywhere": false} is the same as no body', async () => {
    const { token, email, password } = await newUser(server, "noteverywhere");
    const other = await login(server, email, password);
    const res = await server.api("/api/v1/logout", { method: "POST", token, json: { everywhere: false } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.revoked, 1);
    assert.equal((await me(other)).status, 200);
  });

  test('{"everywhere": true} revokes every token of the user and counts them', async () => {
    const { token, email, password } = await newUser(server, "everywhere");
    const others = [await login(server, email, password), await login(server, email, password)];
    const stranger = await newUser(server, "stranger");
    const res = await server.api("/api/v1/logout", { method: "POST", token, json: { everywhere: true } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.revoked, 3);
    for (const t of [token, ...others]) assert.deepEqual((await me(t)).body, REVOKED);
    assert.equal((await me(stranger.token)).status, 200);
  });

  test("logging out twice with the same token: the second is 401 revoked", async () => {
    const { token } = await newUser(server, "twice");
    assert.equal((await server.api("/api/v1/logout", { method: "POST", token })).status, 200);
    const again = await server.api("/api/v1/logout", { method: "POST", token });
    assert.equal(again.status, 401);
    assert.deepEqual(again.body, REVOKED);
  });

  test("a body that is not the logout schema is 422", async () => {
    const { token } = await newUser(server, "badlogout");
    const res = await server.api("/api/v1/logout", { method: "POST", token, json: { everywhere: "yes" } });
    assert.ok(errorLocations(res).includes("body.everywhere"), res.text);
    assert.equal((await me(token)).status, 200, "a refused logout must not revoke");
  });
});

describe("GET /sessions", () => {
  test("lists the user's live tokens, current on exactly the calling one", async () => {
    const { token, email, password } = await newUser(server, "lister");
    const second = await login(server, email, password);
    const third = await login(server, email, password);
    await server.api("/api/v1/logout", { method: "POST", token: third });
    await newUser(server, "someoneelse");

    const res = await server.api("/api/v1/sessions", { token: second, headers: { "user-agent": "curl/8.5.0" } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.count, 2);
    assert.deepEqual(res.body.data.map((s: Session) => s.id).sort(), [jti(token), jti(second)].sort());
    const current = res.body.data.filter((s: Session) => s.current);
    assert.equal(current.length, 1);
    assert.equal(current[0].id, jti(second));
    for (const s of res.body.data) {
      for (const key of ["created_at", "expires_at"]) assert.ok(!Number.isNaN(Date.parse(s[key])), key);
      assert.equal(typeof s.device, "string");
      assert.ok(Date.parse(s.expires_at) > Date.now());
    }

    // From the other token, the other one is current.
    const fromFirst = await server.api("/api/v1/sessions", { token });
    assert.deepEqual(fromFirst.body.data.filter((s: Session) => s.current).map((s: Session) => s.id), [jti(token)]);
  });

  test("records the user agent the token was obtained with", async () => {
    const { email, password } = await newUser(server, "agent");
    const res = await server.api("/api/v1/login/access-token", {
      method: "POST",
      form: { username: email, password },
      headers: { "user-agent": "curl/8.5.0" },
    });
    const sessions = await server.api("/api/v1/sessions", { token: res.body.access_token });
    const mine = sessions.body.data.find((s: Session) => s.current);
    assert.equal(mine.user_agent, "curl/8.5.0");
    assert.equal(mine.device, "curl");
  });
});

describe("DELETE /sessions/{id}", () => {
  test("revokes another of my tokens: it then gets 401 revoked and leaves the list", async () => {
    const { token, email, password } = await newUser(server, "revoker");
    const other = await login(server, email, password);
    const res = await server.api(`/api/v1/sessions/${jti(other)}`, { method: "DELETE", token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual((await me(other)).body, REVOKED);
    assert.equal((await me(token)).status, 200);
    const list = await server.api("/api/v1/sessions", { token });
    assert.deepEqual(list.body.data.map((s: Session) => s.id), [jti(token)]);
  });

  test("404 for an unknown id, an already revoked one, and another user's", async () => {
    const { token, email, password } = await newUser(server, "notfound");
    const revoked = await login(server, email, password);
    await server.api(`/api/v1/sessions/${jti(revoked)}`, { method: "DELETE", token });
    const stranger = await newUser(server, "notmine");

    for (const id of ["00000000-0000-0000-0000-000000000000", jti(revoked), jti(stranger.token)]) {
      const res = await server.api(`/api/v1/sessions/${id}`, { method: "DELETE", token });
      assert.equal(res.status, 404, `${id}: ${res.text}`);
      assert.equal(typeof res.body.detail, "string");
    }
    assert.equal((await me(stranger.token)).status, 200, "another user's token must not be revoked");
  });
});
