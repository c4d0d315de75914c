import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { COMPILE_CACHE_DIR } from "./tests/helpers/processes";

// One throw-away data folder per run, shared by the workers through the environment they inherit, and
// removed when the run that made it ends.
if (!process.env.E2E_DATA_DIR) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "signin-e2e-"));
  process.env.E2E_DATA_DIR = dataDir;
  process.on("exit", () => fs.rmSync(dataDir, { recursive: true, force: true }));
}
const port = Number(process.env.E2E_PORT ?? 3210);
export const baseURL = `http://127.0.0.1:${port}`;

// Debian's Chromium where present (these machines cannot download Playwright's browsers).
const systemChromium = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
  (p): p is string => Boolean(p && fs.existsSync(p)),
);

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  // Specs make their own accounts (unique emails) or their own servers, so files do not depend on each
  // other and E2E_WORKERS=2 runs two files at a time (a file's tests stay in order in one worker). One by
  // default: on a loaded two-core machine two workers pushed the axe-core scans of e2e/a11y.spec.ts past
  // their 2-minute budget (docs/testing.md, "How long it takes").
  workers: Number(process.env.E2E_WORKERS ?? 1),
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  // Generous: these machines are shared, and a loaded one takes seconds per navigation.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    // Recording a trace costs about a tenth of the run: in CI only for the retry of a failed test.
    trace: process.env.CI ? "on-first-retry" : "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: systemChromium
          ? {
              executablePath: systemChromium,
              args: [
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
              ],
            }
          : {},
      },
    },
  ],
  webServer: {
    // The production server, started the way users start it, on a fresh database.
    command: "npx tsx scripts/start.ts",
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: "pipe",
    env: {
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      DATA_DIR: process.env.E2E_DATA_DIR,
      BCRYPT_COST: "10",
      // One server process, as for the API tests (tests/helpers/processes.ts): each would load and warm
      // up every page on its own.
      WEB_CONCURRENCY: "1",
      FIRST_SUPERUSER: "admin@example.com",
      FIRST_SUPERUSER_PASSWORD: "admin-password-e2e",
      NODE_COMPILE_CACHE: COMPILE_CACHE_DIR,
    },
  },
});
