// End-to-end: the page's runs are the command line's, to the nanosecond. The page's wasm is
// built its own way (std compiled for size, scripts/page-build-env.sh); its per-task CSV,
// downloaded from each run panel, must equal `whenasync csv` natively, byte for byte: random
// arrivals and think times, timeouts and cancellations, float formatting, and a run simulated
// in a Web Worker. Run by scripts/test.sh against the release build.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bigScenario, packed, PlaygroundPage } from "./playground.mjs";
import { buildOrSkip, useBrowser, useServer } from "./harness.mjs";

const DIST = process.env.WHENASYNC_E2E_DIST ?? "dist";
const DESKTOP = { width: 1280, height: 720 };

const chromium = useBrowser();

/** `whenasync csv <scenario> --model <label>`, natively. */
function nativeCsv(scenario, model) {
  return execFileSync("target/debug/whenasync", ["csv", scenario, "--model", model], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
}

/** Opens `fragment` and returns, per run panel, its model and the CSV it downloads. */
async function pageCsvs(url, fragment, { inWorker = false } = {}) {
  const context = await chromium.browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
  const pg = new PlaygroundPage(await context.newPage(), url + fragment);
  await pg.open();
  // Only a run simulated in the workers leaves its timing on the page.
  if (inWorker) await pg.page.getByTestId("sim-timing").waitFor({ state: "attached", timeout: 60_000 });
  const out = [];
  for (const model of await pg.models()) {
    const panel = pg.page.locator(`[data-testid="run-panel"][data-model="${model}"]`);
    const button = panel.getByTestId("export-csv");
    // A run simulated in a worker can be exported once its whole trace has arrived.
    await pg.page.waitForFunction((b) => !b.disabled, await button.elementHandle(), { timeout: 60_000 });
    const [download] = await Promise.all([pg.page.waitForEvent("download"), button.click()]);
    out.push({ model, csv: readFileSync(await download.path(), "utf8") });
  }
  assert.deepEqual(pg.problems, []);
  await context.close();
  return out;
}

function assertSame(page, native, what) {
  if (page === native) return;
  const a = page.split("\n");
  const b = native.split("\n");
  const line = a.findIndex((l, i) => l !== b[i]);
  assert.fail(`${what}: line ${line + 1} differs\n page:   ${a[line]}\n native: ${b[line]}`);
}

describe("the page's runs are the command line's", () => {
  const skip = buildOrSkip(DIST);
  const server = useServer(DIST, "/", skip);

  before(() => {
    if (!skip) execFileSync("cargo", ["build", "--quiet", "-p", "whenasync-cli"], { stdio: "inherit" });
  });

  // Random think times (closed loop), a timeout that cancels, random service times.
  for (const preset of ["uvicorn-workers", "wait-timeout-cancel", "sync-db-in-async-route"]) {
    test(`preset ${preset}: every model's tasks, to the nanosecond`, { skip, timeout: 120_000 }, async () => {
      const runs = await pageCsvs(server.url, `#preset=${preset}`);
      assert.ok(runs.length >= 2, `${runs.length} models`);
      for (const { model, csv } of runs) {
        assert.ok(csv.split("\n").length > 10, `${model}: ${csv.slice(0, 200)}`);
        assertSame(csv, nativeCsv(preset, model), `${preset} · ${model}`);
      }
    });
  }

  test("100,000 Poisson arrivals, simulated in a Web Worker", { skip, timeout: 180_000 }, async (t) => {
    const scenario = bigScenario(100_000, [{ kind: "threads", workers: 8 }]);
    const dir = mkdtempSync(join(tmpdir(), "whenasync-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "server.json");
    writeFileSync(file, JSON.stringify(scenario));
    const [{ model, csv }] = await pageCsvs(server.url, `#${packed(scenario)}`, { inWorker: true });
    assert.equal(model, "threads(8)");
    assert.equal(csv.split("\n").length, 100_002, "a header, 100,000 tasks and the last newline");
    assertSame(csv, nativeCsv(file, model), `server-100000 · ${model}`);
  });
});
