// End-to-end: the loading screen (index.html's #boot, web/boot.js), which a first visit sees
// while the page's wasm downloads: the header and a bar that fills with the bytes, replaced by
// the playground without moving the header; an embed's frame shows the bar alone; a wasm that
// cannot start, or whose download is cut off, says why. Run by scripts/test.sh against the
// release build.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { PlaygroundPage } from "./playground.mjs";
import { buildOrSkip, useBrowser, useServer } from "./harness.mjs";

const DIST = process.env.WHENASYNC_E2E_DIST ?? "dist";
const VIEWPORT = { width: 1280, height: 720 };

const chromium = useBrowser();

/**
 * A page whose requests Chromium throttles to `mbps` (the server gzips, as a static host does),
 * which records every value the loading bar takes from the first byte of the document on.
 */
async function slowPage(url, { mbps = 4, colorScheme = "light" } = {}) {
  const context = await chromium.browser.newContext({ viewport: VIEWPORT, colorScheme });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 40,
    downloadThroughput: (mbps * 1e6) / 8,
    uploadThroughput: (mbps * 1e6) / 8,
  });
  await page.addInitScript(() => {
    window.__bootValues = [];
    new MutationObserver((changes) => {
      for (const c of changes) {
        if (c.attributeName === "aria-valuenow") window.__bootValues.push(Number(c.target.getAttribute("aria-valuenow")));
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ["aria-valuenow"] });
  });
  return { pg: new PlaygroundPage(page, url), context };
}

/** Waits for the loading screen, styled: the page's stylesheet applied. */
async function bootScreen(page) {
  await page.getByTestId("boot").waitFor();
  await page.waitForFunction(() => [...document.styleSheets].some((s) => /\/style-[0-9a-f]+\.css$/.test(s.href ?? "")));
  return page.getByTestId("boot");
}

/** The header's text and where its bottom edge is. */
const header = (page, scope) =>
  page.locator(`${scope} .topbar`).evaluate((h) => ({
    brand: h.querySelector(".brand").textContent.trim(),
    tagline: h.querySelector(".tagline").textContent.trim(),
    bottom: h.getBoundingClientRect().bottom,
  }));

describe("the loading screen", () => {
  const skip = buildOrSkip(DIST);
  const server = useServer(DIST, "/", skip, { gzip: true });

  test("shows the header and a filling bar, then the playground, the header unmoved", { skip }, async () => {
    const { pg, context } = await slowPage(server.url);
    await pg.page.goto(server.url, { waitUntil: "commit" });
    const boot = await bootScreen(pg.page);
    const bar = boot.getByRole("progressbar", { name: "Loading the simulator" });
    assert.ok(await bar.isVisible(), "no progress bar while the wasm downloads");
    assert.equal(await boot.getByRole("status").innerText(), "Loading the simulator…");
    const before = await header(pg.page, "#boot");

    await pg.runPanels.first().waitFor({ timeout: 60_000 });
    await pg.waitForCharts();
    assert.equal(await boot.count(), 0, "the loading screen is still there");
    assert.equal(await pg.page.locator(".topbar").count(), 1);
    const after = await header(pg.page, "[data-testid=app]");
    assert.deepEqual({ ...after, bottom: Math.round(after.bottom) }, { ...before, bottom: Math.round(before.bottom) });

    // The bar followed the download: values in between, never going back nor leaping (as it
    // would against the size of the wasm before wasm-opt: scripts/trunk-post-build.sh), full.
    const values = await pg.page.evaluate(() => window.__bootValues);
    assert.ok(values.some((v) => v > 0 && v < 100), `no value between 0 and 100 in ${values}`);
    assert.deepEqual(values, [...values].sort((a, b) => a - b), `the bar went back: ${values}`);
    const leap = Math.max(...values.map((v, i) => v - (values[i - 1] ?? 0)));
    assert.ok(leap <= 25, `the bar leapt ${leap} % at once: ${values}`);
    assert.equal(values.at(-1), 100);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("is painted in the app's colours, in dark mode too", { skip }, async () => {
    for (const colorScheme of ["light", "dark"]) {
      const { pg, context } = await slowPage(server.url, { colorScheme });
      await pg.page.goto(server.url, { waitUntil: "commit" });
      await bootScreen(pg.page);
      const bg = () => pg.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const loading = await bg();
      await pg.runPanels.first().waitFor({ timeout: 60_000 });
      assert.equal(await bg(), loading, `${colorScheme}: the page changed colour when the app took over`);
      assert.equal(loading, colorScheme === "dark" ? "rgb(15, 18, 22)" : "rgb(244, 245, 247)");
      await context.close();
    }
  });

  test("shows an embed's frame the bar without the playground's header", { skip }, async () => {
    const url = `${server.url}#preset=gather-10-queries&w=summary`;
    const { pg, context } = await slowPage(url);
    await pg.page.goto(url, { waitUntil: "commit" });
    const boot = await bootScreen(pg.page);
    await boot.getByRole("status").waitFor();
    assert.equal(await boot.locator(".topbar").isVisible(), false);
    await pg.page.getByTestId("embed").waitFor({ timeout: 60_000 });
    assert.equal(await boot.count(), 0);
    await context.close();
  });

  test("says why when the wasm cannot start, in place of the bar", { skip }, async () => {
    const context = await chromium.browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    await page.route(/whenasync-app-[0-9a-f]+_bg\.wasm$/, (route) => route.fulfill({ status: 404, body: "gone" }));
    await page.goto(server.url);
    const boot = page.getByTestId("boot");
    await page.waitForFunction(() => document.getElementById("boot")?.dataset.state === "failed");
    assert.equal(
      await boot.getByRole("status").innerText(),
      "whenasync could not start: failed to fetch Wasm: 404 Not Found. Reload the page to try again.",
    );
    assert.equal(await boot.getByRole("progressbar").isVisible(), false);
    await context.close();
  });

  describe("a download cut off midway", () => {
    // The build, but half the page's wasm under its whole length, then the connection drops.
    const cut = useServer(DIST, "/", skip, { cut: /whenasync-app-[0-9a-f]+_bg\.wasm$/ });

    test("says so, instead of a bar stuck halfway", { skip }, async () => {
      const context = await chromium.browser.newContext({ viewport: VIEWPORT });
      const page = await context.newPage();
      await page.goto(cut.url);
      await page.waitForFunction(() => document.getElementById("boot")?.dataset.state === "failed");
      assert.match(await page.getByTestId("boot").getByRole("status").innerText(), /^whenasync could not start: .+\. Reload the page to try again\.$/);
      await context.close();
    });
  });
});
