// End-to-end: the charts. Gantt zoom, pan, cursor and tooltips; insights that jump the chart;
// latency plots; sweeps in Web Workers; a 100,000-task scenario simulated off the main thread
// while the page keeps drawing frames. In headless Chromium against the release build; run by
// scripts/test.sh. Timings are printed (measured), never asserted.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { bigScenario, PlaygroundPage, toMs } from "./playground.mjs";
import { buildOrSkip, SCREENSHOTS, useBrowser, useServer } from "./harness.mjs";

const DIST = process.env.WHENASYNC_E2E_DIST ?? "dist";
const SUBPATH_DIST = process.env.WHENASYNC_E2E_SUBPATH_DIST ?? "target/e2e-subpath/whenasync";
const DESKTOP = { width: 1280, height: 720 };
const PHONE = { width: 390, height: 844 };
/** A duration with its unit, as the page writes them. */
const DURATION = /\d+(\.\d+)? (s|ms|µs|ns)\b/;

/** The chart controls, on top of the shared page object. */
class ChartsPage extends PlaygroundPage {
  constructor(page, url) {
    super(page, url);
    this.zoomWindow = page.getByTestId("zoom-window");
    this.insights = page.getByTestId("insight");
  }

  /** Loads a preset from presets/<name>.json and waits for its charts. */
  async preset(name) {
    await this.load(readFileSync(`presets/${name}.json`, "utf8"));
    await this.page.waitForFunction(
      (name) => {
        const cs = [...document.querySelectorAll('[data-testid="gantt-canvas"]')];
        const title = document.querySelector('[data-testid="scenario"]')?.textContent ?? "";
        return title.includes(name) && cs.length > 0 && cs.every((c) => c.dataset.drawn === "true");
      },
      name,
    );
  }

  /** The `i`th chart's visible window [start, end] in ns, and its tick labels. */
  async chart(i = 0) {
    return this.canvases.nth(i).evaluate((c) => ({
      window: c.dataset.window.split(",").map(Number),
      ticks: c.dataset.ticks.split("|"),
    }));
  }

  /** Waits until the `i`th chart shows a window other than `previous`. */
  async windowChangedFrom(previous, i = 0) {
    await this.page.waitForFunction(
      ([i, prev]) => document.querySelectorAll('[data-testid="gantt-canvas"]')[i].dataset.window !== prev,
      [i, previous.join(",")],
    );
    return this.chart(i);
  }

  /** Share of painted pixels of a canvas, and pixels near each colour of `palette`. */
  async paint(locator, palette = {}) {
    return locator.evaluate((canvas, palette) => {
      const { data, width, height } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      const targets = Object.entries(palette).map(([n, hex]) => [n, [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16))]);
      const hits = Object.fromEntries(targets.map(([n]) => [n, 0]));
      let painted = 0;
      for (let p = 0; p < data.length; p += 4) {
        if (data[p + 3] === 0) continue;
        painted++;
        for (const [n, [r, g, b]] of targets) {
          if (Math.abs(data[p] - r) + Math.abs(data[p + 1] - g) + Math.abs(data[p + 2] - b) < 30) hits[n]++;
        }
      }
      return { width, height, painted: painted / (width * height), hits };
    }, palette);
  }

  /** The series colours the page uses, read from its CSS custom properties. */
  async seriesColours(n) {
    return this.page.evaluate((n) => {
      const css = getComputedStyle(document.documentElement);
      return Object.fromEntries([...Array(n).keys()].map((i) => [i, css.getPropertyValue(`--series-${i}`).trim()]));
    }, n);
  }
}

const chromium = useBrowser();

async function open(url, { viewport = DESKTOP, colorScheme = "light" } = {}) {
  const context = await chromium.browser.newContext({ viewport, colorScheme });
  const pg = new ChartsPage(await context.newPage(), url);
  await pg.open();
  return { pg, context };
}

describe("charts", () => {
  const skip = buildOrSkip(DIST);
  const server = useServer(DIST, "/", skip);

  test("hover shows a tooltip with units and a time cursor", { skip }, async () => {
    const { pg, context } = await open(server.url);
    const box = await pg.canvases.first().boundingBox();
    // The sync thread's row, 40 % along: it is waiting on a query there.
    await pg.page.mouse.move(box.x + 124 + (box.width - 142) * 0.4, box.y + 12);
    const tip = await pg.page.getByTestId("gantt-tooltip").innerText();
    assert.match(tip, /^main thread · task \d+ · I\/O wait · \d+(\.\d+)? ms\nfrom .+ to .+$/);
    const [, timing] = tip.split("\n");
    assert.equal(timing.match(new RegExp(DURATION, "g"))?.length, 2, timing);
    // Clicking pins the cursor: every row's state at that instant, on every chart.
    await pg.page.mouse.click(box.x + 124 + (box.width - 142) * 0.4, box.y + 12);
    const readout = pg.page.getByTestId("cursor-readout").first();
    await readout.waitFor();
    assert.match(await readout.innerText(), /^At \d+(\.\d+)? ms/);
    assert.match(await readout.innerText(), /main thread\s+I\/O wait · task \d+/);
    assert.equal(await pg.page.getByTestId("cursor-readout").count(), await pg.canvases.count());
    await pg.page.keyboard.press("Escape");
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("keyboard zoom and pan change the visible window of every chart", { skip }, async () => {
    const { pg, context } = await open(server.url);
    const before = await pg.chart(0);
    assert.deepEqual(before.ticks.slice(0, 2), ["0", "0.2 s"]);
    assert.match(await pg.zoomWindow.innerText(), /whole run/);
    // The chart takes focus (with a label that says what it shows and how to drive it).
    await pg.canvases.first().focus();
    assert.match(await pg.canvases.first().getAttribute("aria-label"), /^Gantt chart of sync, rows by worker: 6 rows \(main thread, GIL, core 0, .*\)\. Showing 0 to 1\.00 s of 1\.00 s\. Plus and minus zoom/);
    await pg.page.keyboard.press("+");
    const zoomed = await pg.windowChangedFrom(before.window);
    const span = (w) => w.window[1] - w.window[0];
    assert.ok(Math.abs(span(zoomed) - span(before) / 2) <= 2, `${span(zoomed)} vs ${span(before)}`);
    assert.notDeepEqual(zoomed.ticks, before.ticks, "the axis labels change");
    // One time axis: every small multiple shows the same window.
    for (let i = 1; i < (await pg.canvases.count()); i++) {
      assert.deepEqual((await pg.chart(i)).window, zoomed.window);
    }
    assert.match(await pg.zoomWindow.innerText(), /^\d.* – .* · 50 % of 1\.00 s$/);
    await pg.page.keyboard.press("ArrowRight");
    const panned = await pg.windowChangedFrom(zoomed.window);
    assert.ok(panned.window[0] > zoomed.window[0], "→ moves later");
    assert.equal(span(panned), span(zoomed));
    await pg.page.keyboard.press("-");
    await pg.windowChangedFrom(panned.window);
    await pg.page.keyboard.press("0");
    await pg.page.waitForFunction(() => /whole run/.test(document.querySelector('[data-testid="zoom-window"]').textContent));
    assert.deepEqual((await pg.chart(0)).ticks, before.ticks);
    // The buttons do the same.
    await pg.page.getByTestId("zoom-in").click();
    await pg.windowChangedFrom(before.window);
    await pg.page.getByTestId("zoom-reset").click();
    await pg.page.waitForFunction(() => /whole run/.test(document.querySelector('[data-testid="zoom-window"]').textContent));
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("the wheel zooms at the pointer and a drag pans", { skip }, async () => {
    const { pg, context } = await open(server.url);
    const before = await pg.chart(0);
    const box = await pg.canvases.first().boundingBox();
    const plot = { left: box.x + 124, width: box.width - 142 };
    // Wheel up over 25 % of the axis: zoom in, keeping that instant under the pointer.
    const x = plot.left + plot.width * 0.25;
    await pg.page.mouse.move(x, box.y + 30);
    await pg.page.mouse.wheel(0, -300);
    const zoomed = await pg.windowChangedFrom(before.window);
    const at = (w, f) => w.window[0] + f * (w.window[1] - w.window[0]);
    assert.ok(zoomed.window[1] - zoomed.window[0] < before.window[1] * 0.75);
    assert.ok(Math.abs(at(zoomed, 0.25) - at(before, 0.25)) < before.window[1] * 0.01, "the instant under the pointer stays");
    await pg.page.screenshot({ path: join(SCREENSHOTS, "charts-zoomed.png") });
    // Drag 200 px to the left: the window moves later by 200 px worth of time.
    await pg.page.mouse.move(plot.left + plot.width * 0.6, box.y + 30);
    await pg.page.mouse.down();
    await pg.page.mouse.move(plot.left + plot.width * 0.6 - 100, box.y + 30, { steps: 5 });
    await pg.page.mouse.move(plot.left + plot.width * 0.6 - 200, box.y + 30, { steps: 5 });
    await pg.page.mouse.up();
    const dragged = await pg.windowChangedFrom(zoomed.window);
    const expected = (200 / plot.width) * (zoomed.window[1] - zoomed.window[0]);
    const moved = dragged.window[0] - zoomed.window[0];
    assert.ok(Math.abs(moved - expected) < expected * 0.1, `moved ${moved} ns, expected about ${expected}`);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("clicking an insight zooms the chart to what it points at", { skip }, async () => {
    const { pg, context } = await open(server.url);
    await pg.preset("time-sleep-in-async");
    const asyncPanel = pg.page.locator('[data-testid="run-panel"][data-model="async"]');
    const insight = asyncPanel.locator('[data-rule="loop_blocked"] [data-testid="insight"]');
    assert.match(await insight.getAttribute("aria-label"), /^Show on the chart: task 0, /);
    const before = await pg.chart(1);
    await insight.click();
    const after = await pg.windowChangedFrom(before.window, 1);
    // Task 0's 100 ms time.sleep, with a margin: a tenth of the 1 s run, not all of it.
    assert.ok(after.window[1] - after.window[0] < 200e6, `window ${after.window}`);
    assert.ok(after.window[0] <= 1e6 && after.window[1] >= 100e6, `window ${after.window}`);
    assert.doesNotMatch(await pg.zoomWindow.innerText(), /whole run/);
    // The chart it points at has the keyboard, ready to zoom on from there.
    assert.equal(await pg.page.evaluate(() => document.activeElement?.dataset.model), "async");
    await pg.page.screenshot({ path: join(SCREENSHOTS, "charts-insight.png") });
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("latency plots draw every model in its own colour", { skip }, async () => {
    const { pg, context } = await open(server.url);
    const latency = pg.page.getByTestId("latency");
    await pg.below();
    await latency.scrollIntoViewIfNeeded();
    const colours = await pg.seriesColours(4);
    for (const id of ["latency-histogram", "latency-cdf", "latency-scatter"]) {
      const canvas = pg.page.getByTestId(id);
      await pg.page.waitForFunction((id) => document.querySelector(`[data-testid="${id}"]`)?.dataset.drawn === "true", id);
      const s = await pg.paint(canvas, colours);
      assert.ok(s.width >= 250 && s.height >= 180, `${id}: ${s.width}×${s.height}`);
      assert.ok(s.painted > 0.02, `${id}: only ${(s.painted * 100).toFixed(2)} % painted`);
      assert.ok(s.hits[0] > 20, `${id}: the first model's colour is missing (${JSON.stringify(s.hits)})`);
      assert.match(await canvas.getAttribute("aria-label"), /sync: p50 \d+ ms, p99 1\.00 s/);
    }
    // p50 / p90 / p99 / max per model, with units.
    const rows = await pg.page.getByTestId("latency-row").evaluateAll((rs) =>
      rs.map((r) => [...r.querySelectorAll("th, td")].map((c) => c.textContent.trim())),
    );
    assert.equal(rows.length, 4);
    for (const [model, ...cells] of rows) {
      assert.ok(model.length > 0);
      assert.equal(cells.length, 4);
      for (const c of cells) assert.match(c, /^\d+(\.\d+)? (s|ms|µs)$/);
    }
    assert.ok(toMs(rows[0][4]) > toMs(rows[1][4]), "sync's max latency is above async's");
    await latency.screenshot({ path: join(SCREENSHOTS, "charts-latency.png") });
    // One model alone: its plots only.
    await pg.pick("async");
    await pg.page.waitForFunction(() => document.querySelectorAll('[data-testid="latency-row"]').length === 1);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("a sweep runs in Web Workers and marks where the winner changes", { skip }, async () => {
    const { pg, context } = await open(server.url);
    const sweep = pg.page.getByTestId("sweep");
    await pg.below();
    await sweep.scrollIntoViewIfNeeded();
    // Threads against processes on CPU-bound work: processes win once there are 2+ of them.
    await pg.preset("cpu-threads-gil");
    await pg.page.getByTestId("sweep-param").selectOption("workers");
    await pg.page.getByTestId("sweep-from").fill("1");
    await pg.page.getByTestId("sweep-to").fill("8");
    await pg.page.getByTestId("sweep-points").fill("8");
    await pg.countFrames();
    const started = Date.now();
    await pg.page.getByTestId("sweep-run").click();
    await pg.page.waitForFunction(() => document.querySelector('[data-testid="sweep-canvas"]')?.dataset.drawn === "true");
    await pg.page.waitForFunction(() => /runs \(8 points × \d models\) in /.test(document.querySelector('[data-testid="sweep-status"]').textContent));
    const { frames } = await pg.frames();
    const status = await pg.page.getByTestId("sweep-status").innerText();
    console.log(`sweep: ${status} (page: ${Date.now() - started} ms, ${frames} frames meanwhile)`);
    const canvas = pg.page.getByTestId("sweep-canvas");
    const s = await pg.paint(canvas, await pg.seriesColours(2));
    assert.ok(s.painted > 0.03, `sweep chart ${(s.painted * 100).toFixed(2)} % painted`);
    assert.ok(s.hits[0] > 20 && s.hits[1] > 20, JSON.stringify(s.hits));
    const summary = await pg.page.getByTestId("sweep-summary").innerText();
    assert.match(summary, /^Lowest (makespan|p99 latency): .+ at \d/);
    console.log(`sweep: ${summary} (${await canvas.getAttribute("data-changes")} winner changes)`);
    assert.ok(Number(await canvas.getAttribute("data-changes")) >= 1, summary);
    await sweep.screenshot({ path: join(SCREENSHOTS, "charts-sweep.png") });
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("a 100,000-task scenario simulates in workers while the page keeps drawing", { skip, timeout: 120_000 }, async () => {
    const { pg, context } = await open(server.url);
    await pg.countFrames();
    const started = Date.now();
    await pg.load(JSON.stringify(bigScenario(100_000)));
    const progress = pg.page.getByTestId("sim-progress");
    await progress.waitFor();
    assert.match(await progress.innerText(), /(Simulating|Figures are up · tracing) 100,000 tasks × 4 models in the background/);
    await pg.page.screenshot({ path: join(SCREENSHOTS, "charts-heavy-progress.png") });
    // The page answers while the workers simulate: a click on a tab works at once.
    await pg.page.getByTestId("view-picker").getByRole("button", { name: "by task" }).click();
    await pg.page.getByTestId("view-picker").getByRole("button", { name: "by worker" }).click();
    // Figures first: the table and the verdict are up while the traces are still on their way,
    // and every chart says so.
    const pending = pg.page.getByTestId("trace-pending");
    await pending.first().waitFor({ timeout: 100_000 });
    assert.match(await progress.innerText(), /Figures are up · tracing 100,000 tasks/);
    assert.equal(await pg.summaryRows.count(), 4);
    assert.match(await pending.first().innerText(), /cover all 100,000 tasks; this chart's trace is still being simulated/);
    // An outline has no trace and no per-task breakdown yet: nothing to export until it comes.
    for (const what of ["export-csv", "export-trace", "export-perfetto"]) {
      assert.equal(await pg.page.getByTestId(what).first().isDisabled(), true, what);
    }
    // The legend already names what the tasks spent their time in (an outline has no segments).
    const legend = await pg.legend.innerText();
    for (const kind of [/running \(GIL held\)/, /I\/O wait/, /queued/]) assert.match(legend, kind);
    await pg.page.screenshot({ path: join(SCREENSHOTS, "charts-heavy-figures-first.png") });
    const timing = pg.page.getByTestId("sim-timing");
    await timing.waitFor({ timeout: 100_000 });
    assert.equal(await pending.count(), 0);
    assert.equal(await pg.page.getByTestId("trace-cut").count(), 0);
    assert.equal(await pg.page.getByTestId("export-csv").first().isDisabled(), false);
    const wall = Date.now() - started;
    const { frames, longTasks } = await pg.frames();
    await pg.waitForCharts();
    assert.deepEqual(await pg.models(), ["sync", "async", "threads(8)", "processes(4, fork)"]);
    const t = await timing.evaluate((e) => ({ ...e.dataset }));
    assert.ok(Number(t.figuresMs) > 0 && Number(t.figuresMs) < Number(t.totalMs), `figures ${t.figuresMs} ms, runs ${t.totalMs} ms`);
    const draws = await pg.canvases.evaluateAll((cs) => cs.map((c) => Number(c.dataset.drawMs)));
    console.log(
      `100,000 tasks × 4 models: figures after ${t.figuresMs} ms, ${wall} ms from load to runs (in-page ${t.totalMs} ms; slowest model ` +
        `${t.simulateMs} ms in its worker; ${(t.bytes / 1e6).toFixed(0)} MB decoded in ${t.decodeMs} ms); ` +
        `${frames} animation frames meanwhile, long tasks ${JSON.stringify(longTasks)} ms; ` +
        `Gantt draw ${draws.map((d) => d.toFixed(1)).join(" / ")} ms`,
    );
    assert.ok(frames >= 10, `the page drew only ${frames} frames while simulating`);
    // Every chart is drawn and carries pixels; zooming a huge run is still instant.
    const s = await pg.canvasStats(1);
    assert.ok(s.painted > 0.02);
    await pg.canvases.nth(1).focus();
    const before = await pg.chart(1);
    const t0 = Date.now();
    for (let i = 0; i < 6; i++) await pg.page.keyboard.press("+");
    await pg.page.waitForFunction(
      (prev) => document.querySelectorAll('[data-testid="gantt-canvas"]')[1].dataset.window !== prev,
      before.window.join(","),
    );
    await pg.page.waitForFunction(() => {
      const [a, b] = document.querySelectorAll('[data-testid="gantt-canvas"]')[1].dataset.window.split(",").map(Number);
      return b - a < 2300e9 / 60;
    });
    const zoomed = await pg.chart(1);
    const zoomedDraw = await pg.canvases.nth(1).evaluate((c) => c.dataset.drawMs);
    console.log(
      `zoomed 64× into the async run in ${Date.now() - t0} ms: ${zoomed.ticks.join(", ")} (last draw ${zoomedDraw} ms)`,
    );
    // Keyboard zoom centres on what this run shows, so its bars stay in view.
    assert.ok(zoomed.window[0] < 333e9, `window ${zoomed.window} is past the async run's end`);
    const running = await pg.canvasStats(1, { running: "#0072B2" });
    assert.ok(running.hits.running > 50, `only ${running.hits.running} running pixels zoomed in`);
    await pg.page.screenshot({ path: join(SCREENSHOTS, "charts-heavy.png") });
    // Back to a light preset: synchronous again, and the stale big runs are gone.
    await pg.preset("gather-10-queries");
    assert.equal(await pg.page.getByTestId("sim-timing").count(), 0);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("a 1,000,000-task run fits in the tab: its trace is cut at a budget, its figures are whole", { skip, timeout: 300_000 }, async () => {
    const { pg, context } = await open(server.url);
    await pg.countFrames();
    const started = Date.now();
    await pg.load(JSON.stringify(bigScenario(1_000_000, [{ kind: "async" }, { kind: "threads", workers: 8 }])));
    await pg.page.getByTestId("sim-progress").waitFor();
    await pg.page.getByTestId("sim-timing").waitFor({ timeout: 280_000 });
    const wall = Date.now() - started;
    await pg.waitForCharts();
    const { frames, longTasks } = await pg.frames();
    const heap = await pg.page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
    console.log(
      `1,000,000 tasks × 2 models: ${wall} ms from load to runs, ${frames} frames meanwhile, ` +
        `longest task ${Math.max(0, ...longTasks)} ms, JS heap ${(heap / 1e6).toFixed(0)} MB`,
    );
    assert.ok(frames >= 10, `the page drew only ${frames} frames while simulating`);
    // Both traces stop at the budget, and the page says so; the figures count every task.
    const notes = pg.page.getByTestId("trace-cut");
    assert.equal(await notes.count(), 2);
    assert.match(await notes.first().innerText(), /trace covers the first .+ of .+\. Figures and latency cover all 1,000,000 tasks/);
    const ends = await pg.canvases.evaluateAll((cs) => cs.map((c) => Number(c.dataset.traceEnd)));
    assert.ok(ends.every((e) => e > 0), `trace ends ${ends}`);
    assert.ok((await pg.canvasStats(1)).painted > 0.01);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("an edit of a heavy scenario keeps its runs on screen, dimmed, until the new figures replace them", { skip, timeout: 120_000 }, async () => {
    const { pg, context } = await open(server.url);
    await pg.load(JSON.stringify(bigScenario(100_000)));
    const timing = pg.page.getByTestId("sim-timing");
    await timing.waitFor({ timeout: 100_000 });
    const before = await pg.page.getByTestId("run-figures").allInnerTexts();
    await pg.page.getByTestId("inspector-toggle").click();
    await pg.page.getByRole("tab", { name: "Workload" }).click();
    // In the edit's own turn of the event loop: the workers cannot have answered yet.
    // The progress takes the timing line's place: the charts below it do not move.
    const during = await pg.page.evaluate(async () => {
      const top = () => document.querySelector('[data-testid="run-panel"]').getBoundingClientRect().top;
      const before = top();
      const input = document.getElementById("ed-c0-s1-v0");
      input.value = "40ms";
      input.dispatchEvent(new Event("input", { bubbles: true }));
      await new Promise((r) => setTimeout(r, 0));
      const content = document.querySelector("section.content");
      return {
        panels: document.querySelectorAll('[data-testid="run-panel"]').length,
        outdated: content.classList.contains("outdated"),
        busy: content.getAttribute("aria-busy"),
        progress: document.querySelectorAll('[data-testid="sim-progress"]').length,
        moved: top() - before,
      };
    });
    assert.deepEqual(during, { panels: 4, outdated: true, busy: "true", progress: 1, moved: 0 });
    await timing.waitFor({ timeout: 100_000 });
    const content = pg.page.locator("section.content");
    assert.equal(await content.getAttribute("aria-busy"), "false");
    assert.equal(await content.evaluate((e) => e.classList.contains("outdated")), false);
    // The new figures replaced the old ones in the same panels: 40 ms of I/O instead of 20 ms.
    const after = await pg.page.getByTestId("run-figures").allInnerTexts();
    assert.equal(after.length, 4);
    assert.notDeepEqual(after, before);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("an edit during a background simulation discards the stale result", { skip, timeout: 120_000 }, async () => {
    const { pg, context } = await open(server.url);
    await pg.load(JSON.stringify(bigScenario(100_000)));
    await pg.page.getByTestId("sim-progress").waitFor();
    // The user loads something else meanwhile: its runs show, and stay.
    await pg.preset("gather-10-queries");
    await pg.page.waitForTimeout(3000);
    assert.equal(await pg.page.getByTestId("sim-progress").count(), 0);
    assert.deepEqual(await pg.models(), ["sync", "async", "threads(10)", "processes(4, fork)"]);
    assert.match(await pg.page.getByTestId("scenario-title").innerText(), /gather/i);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("phone width and dark mode", { skip }, async () => {
    const { pg, context } = await open(server.url, { viewport: PHONE, colorScheme: "dark" });
    const s = await pg.canvasStats(0);
    assert.ok(s.painted > 0.02, `phone chart ${(s.painted * 100).toFixed(2)} % painted`);
    // Nothing wider than the screen.
    const overflow = await pg.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the phone`);
    await pg.page.getByTestId("runs").scrollIntoViewIfNeeded();
    await pg.page.screenshot({ path: join(SCREENSHOTS, "charts-phone-dark.png") });
    await pg.below();
    await pg.page.getByTestId("latency").scrollIntoViewIfNeeded();
    const l = await pg.paint(pg.page.getByTestId("latency-cdf"));
    assert.ok(l.painted > 0.02);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });
});

describe("charts at a sub-path", () => {
  const skip = buildOrSkip(SUBPATH_DIST);
  const server = useServer(SUBPATH_DIST, "/whenasync/", skip);

  test("the workers load from under the sub-path", { skip }, async () => {
    const { pg, context } = await open(server.url);
    await pg.below();
    await pg.page.getByTestId("sweep").scrollIntoViewIfNeeded();
    await pg.page.getByTestId("sweep-points").fill("4");
    await pg.page.getByTestId("sweep-run").click();
    await pg.page.waitForFunction(() => /runs \(4 points/.test(document.querySelector('[data-testid="sweep-status"]').textContent));
    assert.ok(server.requests.some((r) => r.path === "/whenasync/whenasync-worker.js" && r.status === 200));
    // The workers are sent the page's compiled module: the wasm is fetched once, and so is the
    // chunk of the sweep's code.
    const wasm = server.requests.filter((r) => r.path.endsWith(".wasm")).map((r) => r.path);
    assert.equal(wasm.filter((p) => /whenasync-app-.*_bg\.wasm$/.test(p)).length, 1, `the page's wasm is fetched once: ${wasm}`);
    assert.deepEqual(wasm.filter((p) => !/\/(whenasync-app-.*_bg|split_below-.*|chunk_.*)\.wasm$/.test(p)), [], `${wasm}`);
    assert.equal(new Set(wasm).size, wasm.length, `a wasm fetched twice: ${wasm}`);
    assert.deepEqual(server.requests.filter((r) => !r.path.startsWith("/whenasync/")), []);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  // One wasm for the page and its workers (crates/app/src/workers.rs), with the chunks of code
  // it loads on first use (crates/app/src/deferred.rs); the only other is the Python writer's
  // (crates/python-wasm), which loads on demand.
  test("the workers run the page's own wasm: one wasm in the build, its chunks, and the Python writer's", { skip }, () => {
    const wasm = readdirSync(SUBPATH_DIST).filter((f) => f.endsWith(".wasm")).sort();
    const page = wasm.filter((f) => /^whenasync-app-[0-9a-f]+_bg\.wasm$/.test(f));
    const chunks = wasm.filter((f) => /^(split_[a-z_]+|chunk_\d+)-[0-9a-f]{16}\.wasm$/.test(f));
    assert.equal(page.length, 1, `${wasm}`);
    assert.ok(chunks.some((f) => f.startsWith("split_editor-")), `${wasm}`);
    assert.deepEqual(wasm.filter((f) => !page.includes(f) && !chunks.includes(f)), ["whenasync-python_bg.wasm"]);
  });

  test("the Python writer loads from under the sub-path", { skip }, async () => {
    const before = server.requests.length;
    const { pg, context } = await open(server.url);
    const dialog = await pg.openPython("async");
    assert.match(await dialog.getByTestId("python-code").textContent(), /^# Model: async — /m);
    const writer = server.requests.slice(before).filter((r) => r.path.includes("whenasync-python"));
    assert.deepEqual(writer.map((r) => [r.path.split("?")[0], r.status]).sort(), [
      ["/whenasync/whenasync-python.js", 200],
      ["/whenasync/whenasync-python_bg.wasm", 200],
    ]);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("the workers load after the landing charts, before anything needs them", { skip }, async () => {
    const before = server.requests.length;
    const worker = (r) => r.path === "/whenasync/whenasync-worker.js" && r.status === 200;
    const { pg, context } = await open(server.url);
    await pg.page.waitForFunction(() => performance.now() > 4000);
    assert.ok(server.requests.slice(before).some(worker), "no worker loaded while the page sat idle");
    assert.deepEqual(pg.problems, []);
    await context.close();
  });
});
