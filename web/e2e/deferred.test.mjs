// End-to-end: the code the first screen does not show is in wasm chunks the page loads on
// first use (crates/app/src/deferred.rs, split by crates/wasm-split). Each loads once, when it
// is first asked for; one that fails to load says so where it would have been, the rest of
// the page goes on working, and Retry (or the next click) loads it. Run by scripts/test.sh
// against the release build.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { PlaygroundPage } from "./playground.mjs";
import { buildOrSkip, useBrowser, useServer } from "./harness.mjs";

const DIST = process.env.WHENASYNC_E2E_DIST ?? "dist";
const DESKTOP = { width: 1280, height: 720 };

const chromium = useBrowser();

describe("code loaded on first use", () => {
  const skip = buildOrSkip(DIST);
  const server = useServer(DIST, "/", skip);

  /** A fresh landing page, and the chunks the server has sent it since (`split_<name>`). */
  async function open() {
    const context = await chromium.browser.newContext({ viewport: DESKTOP });
    const before = server.requests.length;
    const pg = new PlaygroundPage(await context.newPage(), server.url);
    await pg.open();
    const sent = (name) =>
      server.requests.slice(before).filter((r) => r.path.includes(`/split_${name}-`) && r.status === 200).length;
    return { pg, context, sent };
  }

  test("the editor's tabs: a failed load says so, the page still works, Retry loads them", { skip }, async () => {
    const { pg, context, sent } = await open();
    const page = pg.page;
    assert.equal(sent("editor"), 0, "the editor came with the landing page");
    // The network fails for the editor's chunk.
    const blocked = "**/split_editor-*.wasm";
    await page.route(blocked, (route) => route.abort("failed"));
    await page.getByRole("tab", { name: "Workload" }).click();
    const workload = page.getByTestId("panel-workload");
    const failed = workload.getByTestId("deferred-failed");
    await failed.waitFor();
    assert.equal(await failed.getAttribute("role"), "alert");
    assert.match(await failed.innerText(), /^The editor did not load: the network failed/);
    // The rest of the page works: another preset is simulated and drawn.
    await page.getByRole("tab", { name: "Presets" }).click();
    await page.evaluate(() => document.querySelectorAll('[data-testid="gantt-canvas"]').forEach((c) => c.removeAttribute("data-drawn")));
    await page.locator("#preset-cpu-process-pool").click();
    await pg.waitForCharts();
    assert.deepEqual(await pg.models(), ["sync", "processes(4, fork)", "processes(4, spawn)"]);
    // The network is back: a failure is not remembered, so the next tab loads the chunk, once,
    // and its editor edits.
    await page.unroute(blocked);
    await page.getByRole("tab", { name: "Machine" }).click();
    await page.locator("#ed-machine-cores").waitFor();
    assert.equal(sent("editor"), 1);
    await page.evaluate(() => document.querySelectorAll('[data-testid="gantt-canvas"]').forEach((c) => c.removeAttribute("data-drawn")));
    await page.locator("#ed-machine-cores").fill("2");
    await pg.waitForCharts();
    // The tab that failed first shows its editor on Retry, from the chunk already loaded.
    await page.getByRole("tab", { name: "Workload" }).click();
    await workload.getByRole("button", { name: "Retry" }).click();
    await workload.getByTestId("deferred-failed").waitFor({ state: "detached" });
    assert.ok((await workload.locator("input, select").count()) > 3, "the workload editor has its fields");
    assert.equal(sent("editor"), 1, "the editor's chunk was fetched again");
    await context.close();
  });

  test("an export whose code fails to load says so; the next click exports", { skip }, async () => {
    const { pg, context, sent } = await open();
    const page = pg.page;
    const panel = pg.runPanels.first();
    const blocked = "**/split_exports-*.wasm";
    await page.route(blocked, (route) => route.abort("failed"));
    await panel.getByTestId("export-csv").click();
    await page.waitForFunction(() => /did not load/.test(document.querySelector('[data-testid="export-status"]').textContent));
    assert.match(await panel.getByTestId("export-status").innerText(), /^The exports did not load: the network failed/);
    await page.unroute(blocked);
    const [download] = await Promise.all([page.waitForEvent("download"), panel.getByTestId("export-csv").click()]);
    assert.equal(download.suggestedFilename(), "whenasync-gather-10-queries-sync-tasks.csv");
    assert.match(readFileSync(await download.path(), "utf8"), /^id,class,arrival_ms,/);
    assert.equal(await panel.getByTestId("export-status").innerText(), "", "the failure is no longer news");
    assert.equal(sent("exports"), 1);
    await context.close();
  });

  test("each chunk loads once, when first asked for", { skip }, async () => {
    const { pg, context, sent } = await open();
    const page = pg.page;
    for (const name of ["editor", "below", "exports", "embed_dialog", "python"]) assert.equal(sent(name), 0, name);
    // A pointer over the exports fetches their code ahead of the click.
    await pg.runPanels.first().getByTestId("export-trace").hover();
    await page.waitForFunction(() => performance.getEntriesByType("resource").some((e) => /split_exports-/.test(e.name)));
    assert.equal(sent("exports"), 1);
    await page.getByTestId("embed-open-dialog").click();
    await page.getByTestId("embed-dialog").waitFor();
    assert.ok(await page.getByTestId("embed-dialog").evaluate((d) => d.open), "the Embed dialog is open");
    await page.getByTestId("embed-close").click();
    await page.getByTestId("embed-open-dialog").click();
    await page.getByTestId("embed-dialog").waitFor();
    assert.equal(sent("embed_dialog"), 1);
    await page.getByTestId("embed-close").click();
    const dialog = await pg.openPython("async");
    assert.match(await dialog.getByTestId("python-code").textContent(), /^# Model: async — /m);
    assert.equal(sent("python"), 1);
    await page.keyboard.press("Escape");
    await pg.below();
    assert.equal(sent("below"), 1);
    for (const name of ["editor", "exports", "embed_dialog", "python"]) assert.ok(sent(name) <= 1, name);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });
});
