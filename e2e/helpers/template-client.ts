/**
 * The FastAPI template's frontend, rebuilt against our API the way a team would do it: generate the
 * client from our OpenAPI document with the template's openapi-ts settings, compile a program that
 * calls it as the template's frontend does (e2e/fixtures/template-frontend), bundle it for the browser,
 * and serve it from a page of its own (another origin than the API, so the browser's CORS rules apply).
 *
 * The work happens in a throw-away folder under node_modules/.cache, where `axios` (the legacy client's
 * transport) and TypeScript resolve from the project's node_modules; `remove()` deletes it.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createRequire } from "node:module";
import { createClient, type UserConfig } from "@hey-api/openapi-ts";
import { build } from "esbuild";

const require = createRequire(__filename);
const root = path.resolve(__dirname, "..", "..");
const program = path.resolve(__dirname, "..", "fixtures", "template-frontend");

/**
 * The template's frontend/openapi-ts.config.ts: the legacy axios client, one class per tag named
 * `{{name}}Service` with static methods named after the operation id without the tag
 * (`users-read_user_me` → `UsersService.readUserMe`), and the schemas as JSON.
 */
export const TEMPLATE_PLUGINS: UserConfig["plugins"] = [
  "legacy/axios",
  {
    name: "@hey-api/sdk",
    asClass: true,
    operationId: true,
    // The template writes `classNameBuilder`, the option's name in later openapi-ts versions; 0.67 calls it so.
    serviceNameBuilder: "{{name}}Service",
    methodNameBuilder: (operation) => {
      // "legacy/axios" runs the legacy parser: its operation's `name` is the camel-cased operation id
      // (`usersReadUserMe`) and `service` the class's stem (`Users`).
      let name = "name" in operation ? operation.name : operation.id;
      const service = "service" in operation ? operation.service : undefined;
      if (service && name.toLowerCase().startsWith(service.toLowerCase())) name = name.slice(service.length);
      return name.charAt(0).toLowerCase() + name.slice(1);
    },
  },
  { name: "@hey-api/schemas", type: "json" },
];

/** The template's tsconfig.json checks, for a browser program (no Node types). */
const TSCONFIG = {
  compilerOptions: {
    target: "ES2020",
    lib: ["ES2020", "DOM", "DOM.Iterable"],
    module: "ESNext",
    moduleResolution: "bundler",
    isolatedModules: true,
    skipLibCheck: true,
    noEmit: true,
    strict: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    noFallthroughCasesInSwitch: true,
    types: [],
  },
  include: ["*.ts", "client/**/*.ts"],
};

export type TemplateFrontend = {
  /** The program for the browser, with `import.meta.env.VITE_API_URL` replaced by the API's URL. */
  bundle: string;
  /** The generated client's files (relative path → text), for a failure message. */
  generatedFiles: () => string[];
  remove: () => void;
};

function run(file: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { cwd, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/**
 * Generates the client from `apiUrl`'s /api/openapi.json, type-checks the program against it and bundles
 * it. Throws with tsc's output when the program does not compile against the generated client.
 */
export async function buildTemplateFrontend(apiUrl: string): Promise<TemplateFrontend> {
  const cache = path.join(root, "node_modules", ".cache");
  fs.mkdirSync(cache, { recursive: true });
  const dir = fs.mkdtempSync(path.join(cache, "template-client-"));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const response = await fetch(`${apiUrl}/api/openapi.json`);
    if (response.status !== 200) throw new Error(`GET /api/openapi.json answered ${response.status}`);
    fs.writeFileSync(path.join(dir, "openapi.json"), await response.text());

    await createClient({
      input: path.join(dir, "openapi.json"),
      output: path.join(dir, "client"),
      logs: { level: "silent", file: false },
      plugins: TEMPLATE_PLUGINS,
    });
    if (!fs.existsSync(path.join(dir, "client", "sdk.gen.ts"))) throw new Error("openapi-ts generated no sdk.gen.ts");

    for (const file of fs.readdirSync(program)) fs.copyFileSync(path.join(program, file), path.join(dir, file));
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
    const tsc = await run(require.resolve("typescript/bin/tsc"), ["-p", dir, "--pretty", "false"], dir);
    if (tsc.code !== 0) {
      throw new Error(`The template's calls do not type-check against the client generated from our document:\n${tsc.output}`);
    }

    const bundled = await build({
      entryPoints: [path.join(dir, "main.ts")],
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2020",
      write: false,
      logLevel: "silent",
      define: { "import.meta.env.VITE_API_URL": JSON.stringify(apiUrl) },
    });
    return {
      bundle: bundled.outputFiles[0]!.text,
      generatedFiles: () => fs.readdirSync(path.join(dir, "client"), { recursive: true }).map(String),
      remove,
    };
  } catch (error) {
    remove();
    throw error;
  }
}

export type FrontendSite = { port: number; close: () => Promise<void> };

const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Template frontend</title><link rel="icon" href="data:,"></head>
  <body><div id="root"></div><script type="module" src="/main.js"></script></body>
</html>
`;

/**
 * A tiny static server for the page: index.html and the bundle. It listens on 127.0.0.1, so the same
 * page is reachable as http://localhost:<port> and as http://127.0.0.1:<port>: two origins.
 * `bundle` is read per request, so the site can start (and its port be known) before the bundle exists.
 */
export async function serveFrontend(bundle: () => string | undefined): Promise<FrontendSite> {
  const server = http.createServer((request, response) => {
    const pathname = new URL(request.url ?? "/", "http://frontend").pathname;
    const code = bundle();
    if (pathname === "/" || pathname === "/index.html") {
      response.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
      response.end(INDEX_HTML);
    } else if (pathname === "/main.js" && code !== undefined) {
      response.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-store" });
      response.end(code);
    } else {
      response.writeHead(404, { "Content-Type": "text/plain" });
      response.end("Not found");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
