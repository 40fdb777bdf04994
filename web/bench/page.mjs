// The page's benchmark: Playwright drives the release build (dist/) in headless Chromium and
// prints what a user waits for. A measurement, not a test: run `scripts/bench-page.sh`.
//
//   transfer     gzip -9 size of what a first visit loads (wasm + JS + CSS; the workers run the
//                same wasm), of the chunks loaded on first use, and of the Python writer
//   first chart  navigation → every Gantt chart of the landing preset drawn (median of 3); then
//                the same over throttled networks, the files gzipped as a static host sends them,
//                with when the loading screen painted
//   edit         an edit → every chart redrawn, 1,000 tasks × 4 models (median of 41 edits),
//                and → the animation frame that shows it
//   big runs     a scenario of N requests loaded → its figures on screen (the outlines), then
//                every model's whole run, simulated in Web Workers with a progress bar;
//                animation frames drawn meanwhile (a frozen page draws none), the heap
//                afterwards, the Gantt draw time. "cold": loaded as soon as the page has drawn,
//                so the workers load too; "warm": after the page has started them (2.5 s idle)
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { serve } from "../e2e/server.mjs";
import { bigScenario, launchBrowser, PlaygroundPage } from "../e2e/playground.mjs";

const DIST = process.env.WHENASYNC_E2E_DIST ?? "dist";
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const row = (what, figure) => console.log(`${what.padEnd(44)} ${figure}`);

function transfer() {
  const built = readdirSync(DIST).filter((f) => /\.(wasm|js|css)$/.test(f) && f !== "embed.js");
  const kib = (what, files) => {
    const sizes = files.map((f) => [f, gzipSync(readFileSync(join(DIST, f)), { level: 9 }).length]);
    const total = sizes.reduce((a, [, n]) => a + n, 0);
    row(what, `${(total / 1024).toFixed(1)} KiB (${sizes.map(([f, n]) => `${f.replace(/-[0-9a-f]{15,16}/, "")} ${(n / 1024).toFixed(1)}`).join(", ")})`);
  };
  // The chunks of the page's wasm load on first use (crates/app/src/deferred.rs), and the Python
  // writer when a Python dialog first opens: neither with the page.
  const writer = (f) => f.startsWith("whenasync-python");
  const chunk = (f) => /^(split_|chunk_)/.test(f);
  kib("first visit (gzip -9)", built.filter((f) => !writer(f) && !chunk(f)));
  kib("chunks, on first use (gzip -9)", built.filter(chunk));
  kib("Python writer, on demand (gzip -9)", built.filter(writer));
}

async function page(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const pg = new PlaygroundPage(await context.newPage(), url);
  return { pg, context };
}

/** ms from navigation to the first paint with content: the loading screen (index.html's #boot). */
const firstPaint = (pg) =>
  pg.page.evaluate(() => Math.round(performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN));

async function firstChart(browser, url) {
  const times = [];
  for (let i = 0; i < 3; i++) {
    const { pg, context } = await page(browser, url);
    const t0 = Date.now();
    await pg.open();
    times.push(Date.now() - t0);
    await context.close();
  }
  row("navigation → landing charts drawn", `median ${median(times)} ms (${times.join(", ")})`);
}

/** Networks a first visit may come over: Chromium throttles every request to these. */
const NETWORKS = [
  { name: "1.6 Mbit/s, 150 ms latency", mbps: 1.6, latency: 150 }, // Lighthouse's mobile network
  { name: "10 Mbit/s, 40 ms latency", mbps: 10, latency: 40 },
];
const BUDGET = 350_000; // bytes: the issue's page-size target

/**
 * Navigation → landing charts drawn over each of NETWORKS (median of 3), with the bytes that
 * crossed the network, and how long the bytes over BUDGET take at that rate: what the page's
 * size costs a first visit.
 */
async function throttledFirstChart(browser, url) {
  for (const net of NETWORKS) {
    const times = [];
    const paints = [];
    let bytes = 0;
    for (let i = 0; i < 3; i++) {
      const { pg, context } = await page(browser, url);
      const cdp = await context.newCDPSession(pg.page);
      await cdp.send("Network.enable");
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: net.latency,
        downloadThroughput: (net.mbps * 1e6) / 8,
        uploadThroughput: 750e3 / 8,
      });
      let received = 0;
      cdp.on("Network.loadingFinished", (e) => (received += e.encodedDataLength));
      const t0 = Date.now();
      await pg.open();
      times.push(Date.now() - t0);
      paints.push(await firstPaint(pg));
      bytes = received;
      await context.close();
    }
    const over = Math.max(0, bytes - BUDGET);
    const overMs = (over * 8) / (net.mbps * 1e3);
    row(
      `  … over ${net.name}`,
      `median ${median(times)} ms (${times.join(", ")}); loading screen painted after ${median(paints)} ms; ` +
        `${(bytes / 1024).toFixed(1)} KiB over the network, ` +
        `of which the ${(over / 1024).toFixed(0)} KiB past ${BUDGET / 1000} KB take ${overMs.toFixed(0)} ms`,
    );
  }
}

/** The latency plots and the sweep, which load as the reader nears them, brought in (as when
 *  these figures were first taken, they redraw with every edit), then back to the charts. */
async function withBelow(pg) {
  await pg.below();
  await pg.page.evaluate(() => window.scrollTo(0, 0));
}

async function edits(browser, url) {
  const { pg, context } = await page(browser, url);
  await pg.open();
  await withBelow(pg);
  await pg.load(bigScenario(1000));
  await pg.waitForCharts();
  await pg.page.getByTestId("inspector-toggle").click();
  await pg.page.getByRole("tab", { name: "Workload" }).click();
  await pg.page.locator("#ed-c0-s1-v0").waitFor();
  // Steady state: after the page has started its workers (1.5 s after load), whose loading
  // would otherwise share the two cores with the first edits.
  await pg.page.waitForTimeout(2500);
  const samples = [];
  for (let i = 0; i < 41; i++) samples.push(await pg.timeEditParts("ed-c0-s1-v0", `${21 + (i % 9)}ms`));
  const figure = (xs) => `median ${median(xs).toFixed(1)} ms (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)})`;
  row("edit → 4 charts redrawn, 1,000 tasks", figure(samples.map((s) => s.drawn)));
  row("  … → the next animation frame", figure(samples.map((s) => s.frame)));
  await context.close();
}

async function big(browser, url, count, models, { warm = true } = {}) {
  const { pg, context } = await page(browser, url);
  await pg.open();
  await withBelow(pg);
  if (warm) await pg.page.waitForTimeout(2500);
  await pg.countFrames();
  const t0 = Date.now();
  await pg.load(bigScenario(count, models));
  const timing = pg.page.getByTestId("sim-timing");
  await timing.waitFor({ timeout: 600_000 });
  const wall = Date.now() - t0;
  await pg.waitForCharts();
  const { frames, longTasks } = await pg.frames();
  const t = await timing.evaluate((e) => ({ ...e.dataset }));
  const draws = await pg.canvases.evaluateAll((cs) => cs.map((c) => Number(c.dataset.drawMs)));
  const plots = await pg.page.locator("canvas[data-testid^=latency-]").evaluateAll((cs) => cs.map((c) => Number(c.dataset.drawMs)));
  const heap = await pg.page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
  const cut = await pg.page.getByTestId("trace-cut").count();
  const n = (models ?? bigScenario(0).models).length;
  row(
    `${count.toLocaleString("en")} tasks × ${n} models, ${warm ? "warm" : "cold"}`,
    `figures ${Number(t.figuresMs).toFixed(0)} ms, runs ${wall} ms (slowest worker ${Number(t.simulateMs).toFixed(0)} ms simulating; ${(t.bytes / 1e6).toFixed(0)} MB ` +
      `decoded in ${Number(t.decodeMs).toFixed(0)} ms); ${frames} frames, longest task ${Math.max(0, ...longTasks)} ms; ` +
      `Gantt draw ${draws.map((d) => d.toFixed(1)).join(" / ")} ms, latency plots ${plots.map((d) => d.toFixed(1)).join(" / ")} ms; JS heap ${(heap / 1e6).toFixed(0)} MB` +
      (cut ? `; ${cut} trace(s) cut at the budget` : ""),
  );
  if (pg.problems.length) row("  problems", pg.problems.join("; "));
  await context.close();
}

/**
 * Edits a loaded `count`-task scenario (the first class's I/O), as a user would after the first
 * run: the workers are warm. Reports the figures' time from the edit's job start to the charts
 * drawn, and the edit's wall time until every trace is in.
 */
async function bigEdits(browser, url, count) {
  const { pg, context } = await page(browser, url);
  await pg.open();
  await withBelow(pg);
  await pg.page.waitForTimeout(2500);
  await pg.load(bigScenario(count));
  const timing = pg.page.getByTestId("sim-timing");
  await timing.waitFor({ timeout: 600_000 });
  await pg.page.getByTestId("inspector-toggle").click();
  await pg.page.getByRole("tab", { name: "Workload" }).click();
  const figures = [];
  const walls = [];
  for (let i = 0; i < 5; i++) {
    const t0 = Date.now();
    await pg.page.locator("#ed-c0-s1-v0").fill(`${21 + i}ms`);
    await timing.waitFor({ state: "detached", timeout: 60_000 });
    await timing.waitFor({ timeout: 600_000 });
    walls.push(Date.now() - t0);
    figures.push(Number(await timing.getAttribute("data-figures-ms")));
  }
  row(
    `edit → figures, ${count.toLocaleString("en")} tasks × 4`,
    `median ${median(figures).toFixed(0)} ms (${figures.join(", ")}); runs ${median(walls)} ms`,
  );
  if (pg.problems.length) row("  problems", pg.problems.join("; "));
  await context.close();
}

// Sections to run (`node web/bench/page.mjs load edit`): all three when none is named.
const sections = process.argv.slice(2);
const want = (section) => sections.length === 0 || sections.includes(section);
const server = await serve(DIST);
const gzipServer = await serve(DIST, "/", { gzip: true });
const browser = await launchBrowser();
try {
  console.log(`whenasync page benchmark: ${DIST}, headless Chromium, ${new Date().toISOString()}`);
  transfer();
  if (want("load")) {
    await firstChart(browser, server.url);
    await throttledFirstChart(browser, gzipServer.url);
  }
  if (want("edit")) await edits(browser, server.url);
  if (want("big")) {
    await big(browser, server.url, 100_000, undefined, { warm: false });
    await big(browser, server.url, 100_000);
    await bigEdits(browser, server.url, 100_000);
    await big(browser, server.url, 1_000_000, [{ kind: "threads", workers: 8 }]);
    await big(browser, server.url, 1_000_000);
  }
} finally {
  await browser.close();
  await server.close();
  await gzipServer.close();
}
