import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
// @ts-expect-error plain JavaScript module without types (it must run on any Node.js)
import { unsupportedNodeMessage } from "../../scripts/check-node.mjs";

const script = path.resolve(import.meta.dirname, "../../scripts/check-node.mjs");

test("Node 20 and older are refused with one line naming what is needed, what was found and how to get it", () => {
  for (const version of ["20.20.2", "18.19.0", "21.7.3"]) {
    const message: string = unsupportedNodeMessage(version);
    assert.match(message, /Node\.js 22 or newer is needed/);
    assert.ok(message.includes(`found ${version}`), message);
    assert.match(message, /scripts\/node-env\.sh/);
    assert.ok(!message.includes("\n"), "one line");
  }
});

test("Node 22 and 24 are accepted", () => {
  for (const version of ["22.12.0", "24.22.3", "26.0.0"]) assert.equal(unsupportedNodeMessage(version), null);
});

test("the check passes on the Node.js running the tests, driver included", () => {
  const result = spawnSync(process.execPath, [script], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
});

// Where the machine still has an old system Node (these machines: /usr/bin/node is 20), the real script
// stops on it with the same line.
const systemNode = "/usr/bin/node";
const systemMajor = fs.existsSync(systemNode)
  ? Number(spawnSync(systemNode, ["-p", "process.versions.node"], { encoding: "utf8" }).stdout.split(".")[0])
  : 0;
test("an old system Node.js is stopped at once", { skip: systemMajor === 0 || systemMajor >= 22 }, () => {
  const result = spawnSync(systemNode, [script], { encoding: "utf8" });
  assert.equal(result.status, 1);
  assert.match(result.stderr.trim(), new RegExp(`^✖ Node\\.js 22 or newer is needed .*found ${systemMajor}\\.`));
});
