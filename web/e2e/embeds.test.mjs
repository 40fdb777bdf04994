// End-to-end: the custom element <whenasync-widget> on a page of another origin, as a blog
// hosts it: the site's script, wasm and workers load under its CORS headers, and the widget
// renders in its shadow root, heavy scenarios and sweeps included. Run by scripts/test.sh
// against the release build.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "./server.mjs";
import { bigScenario, packed, PlaygroundPage } from "./playground.mjs";
import { buildOrSkip, useBrowser } from "./harness.mjs";

const DIST = process.env.WHENASYNC_E2E_DIST ?? "dist";
const DESKTOP = { width: 1280, height: 720 };

const chromium = useBrowser();

describe("the custom element on another origin", () => {
  const skip = buildOrSkip(DIST);
  let site;
  let host;
  let dir;
  before(async () => {
    if (skip) return;
    site = await serve(DIST, "/", { cors: true });
    dir = mkdtempSync(join(tmpdir(), "whenasync-host-"));
    writeFileSync(
      join(dir, "index.html"),
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A host</title><link rel="icon" href="data:,">
       <style>body { font-family: Georgia, serif; } .card { border: 9px solid red; }</style></head>
       <body><h1>Another site</h1>
       <whenasync-widget id="w" scenario="${site.url}#preset=gather-10-queries&amp;m=1" widget="summary" theme="dark"></whenasync-widget>
       <script type="module" src="${site.url}embed.js"></script></body></html>`,
    );
    // A heavy scenario (past the main thread's budget) and a sweep: both run in workers, which
    // a page cannot start from another origin's script URL.
    const heavy = `${site.url}#${packed(bigScenario(100_000))}`;
    writeFileSync(
      join(dir, "heavy.html"),
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A host</title><link rel="icon" href="data:,"></head>
       <body><h1>Another site, heavier</h1>
       <whenasync-widget id="h" scenario="${heavy}" widget="summary"></whenasync-widget>
       <whenasync-widget id="s" scenario="${site.url}#preset=gather-10-queries" widget="sweep"></whenasync-widget>
       <script type="module" src="${site.url}embed.js"></script></body></html>`,
    );
    host = await serve(dir, "/");
  });
  after(async () => {
    await site?.close();
    await host?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("loads the site's script and wasm with CORS and renders in the shadow root", { skip }, async () => {
    const context = await chromium.browser.newContext({ viewport: DESKTOP });
    const pg = new PlaygroundPage(await context.newPage(), host.url);
    await pg.page.goto(host.url, { waitUntil: "load" });
    const table = pg.page.locator("#w").getByTestId("summary-row");
    await table.first().waitFor({ timeout: 30_000 });
    assert.equal(await table.count(), 4);
    assert.match(await pg.page.locator("#w").getByTestId("summary").innerText(), /fastest/);
    // Dark, as asked; the host's CSS did not reach the widget.
    const bg = await pg.page.locator("#w").getByTestId("embed").evaluate((e) => getComputedStyle(e).backgroundColor);
    assert.ok(bg.match(/\d+/g).slice(0, 3).map(Number).reduce((a, b) => a + b) < 200, `background ${bg}`);
    const border = await pg.page.locator("#w").getByTestId("summary").evaluate((e) => getComputedStyle(e).borderTopWidth);
    assert.notEqual(border, "9px", "the host's CSS reached the widget");
    assert.ok(site.requests.some((r) => r.path.endsWith(".wasm") && r.status === 200));
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("runs heavy scenarios and sweeps in workers started from the site's script", { skip }, async () => {
    const context = await chromium.browser.newContext({ viewport: DESKTOP });
    const pg = new PlaygroundPage(await context.newPage(), host.url);
    await pg.page.goto(`${host.url}heavy.html`, { waitUntil: "load" });
    // 100,000 tasks × 4 models: the summary comes from the workers.
    const rows = pg.page.locator("#h").getByTestId("summary-row");
    await rows.first().waitFor({ timeout: 60_000 });
    assert.equal(await rows.count(), 4);
    // 100,000 arrivals at 300 /s: the whole run, some 333 s long.
    assert.match(await pg.page.locator("#h").getByTestId("summary").innerText(), /\b333 s\b/);
    const sweep = pg.page.locator("#s");
    await sweep.getByTestId("sweep-points").fill("4");
    await sweep.getByTestId("sweep-run").click();
    await sweep.getByTestId("sweep-status").filter({ hasText: /runs \(4 points × \d models\) in / }).waitFor({ timeout: 60_000 });
    // The workers' script came from the site, under the site's CORS.
    assert.ok(site.requests.some((r) => r.path.endsWith("whenasync-worker.js") && r.status === 200));
    assert.deepEqual(pg.problems, []);
    await context.close();
  });
});
