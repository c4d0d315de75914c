/**
 * The first superuser (FIRST_SUPERUSER) is created only while there is no superuser at all: renaming
 * it (or deleting it while another superuser exists) must not bring a second one back on the next start.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ADMIN_EMAIL, ADMIN_PASSWORD, adminToken, login, startServer, type Server } from "../helpers/server";

let server: Server;
before(async () => {
  server = await startServer();
});
after(() => server?.close());

test("the first start creates the first superuser and says so", () => {
  assert.match(server.output(), new RegExp(`No superuser yet: created ${ADMIN_EMAIL.replace(/\./g, "\\.")}`));
});

test("a renamed first superuser is not re-created on the next start", async () => {
  const admin = await adminToken(server);
  // A superuser renames itself at once through the admin path, after confirming its password.
  const reauth = await server.api("/api/v1/login/reauthenticate", { method: "POST", token: admin, json: { password: ADMIN_PASSWORD } });
  assert.equal(reauth.status, 200, reauth.text);
  const { id } = (await server.api("/api/v1/users/me", { token: admin })).body;
  const renamed = await server.api(`/api/v1/users/${id}`, {
    method: "PATCH",
    token: admin,
    json: { email: "root@example.com" },
  });
  assert.equal(renamed.status, 200, renamed.text);

  const before = server.output().length;
  await server.restart();

  const asAdmin = await server.api("/api/v1/login/access-token", {
    method: "POST",
    form: { username: ADMIN_EMAIL, password: ADMIN_PASSWORD },
  });
  assert.equal(asAdmin.status, 400, `${ADMIN_EMAIL} came back: ${asAdmin.text}`);
  const root = await login(server, "root@example.com", ADMIN_PASSWORD);
  const users = await server.api("/api/v1/users?limit=1000", { token: root });
  assert.equal(users.status, 200, users.text);
  const superusers = (users.body.data as { email: string; is_superuser: boolean }[]).filter((u) => u.is_superuser);
  assert.deepEqual(superusers.map((u) => u.email), ["root@example.com"]);
  assert.match(server.output().slice(before), /A superuser exists: FIRST_SUPERUSER not created/);
});
