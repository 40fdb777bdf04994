// What every spec file sets up the same way: one browser per file, a build served per
// `describe`, and a build that is missing skipped (or, under scripts/test.sh, failed).
import { after, before } from "node:test";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { serve } from "./server.mjs";
import { launchBrowser } from "./playground.mjs";

export const SCREENSHOTS = "web/screenshots";

/** A build missing here fails when scripts/test.sh asks for it, and is skipped otherwise. */
export function buildOrSkip(dir) {
  if (existsSync(join(dir, "index.html"))) return false;
  const why = `no build in ${dir}: run scripts/test.sh (or scripts/build-page.sh) first`;
  if (process.env.WHENASYNC_E2E_REQUIRE === "1") throw new Error(why);
  return why;
}

/** One browser for the file's tests: `chromium.browser` once its `before` hook has run. */
export function useBrowser() {
  const chromium = { browser: null };
  before(async () => {
    chromium.browser = await launchBrowser();
    await mkdir(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await chromium.browser?.close();
  });
  return chromium;
}

/**
 * Serves `dir` at `prefix` (see server.mjs) for the tests of the enclosing `describe`, unless
 * `skip`. The returned object's `url` and `requests` are the server's, once it runs.
 */
export function useServer(dir, prefix, skip, options) {
  let server = null;
  before(async () => {
    if (!skip) server = await serve(dir, prefix, options);
  });
  after(async () => {
    await server?.close();
  });
  return {
    get url() {
      return server.url;
    },
    get requests() {
      return server.requests;
    },
  };
}
