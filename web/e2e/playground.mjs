// Page object for the playground, and the browser set-up every spec shares.
import { deflateRawSync } from "node:zlib";
import { chromium } from "playwright-core";

/**
 * Debian's Chromium with flags that keep it off the (closed) network; see shared/TOOLCHAIN.md.
 * Playwright gives every launch a fresh profile directory of its own.
 */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Hex `#RRGGBB` → [r, g, b]. */
export const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

export class PlaygroundPage {
  /** @param {import('playwright-core').Page} page */
  constructor(page, url) {
    this.page = page;
    this.url = url;
    /** Everything that went wrong in the page: console errors, page errors, failed requests. */
    this.problems = [];
    /** The console's warnings, which a clean load has none of. */
    this.warnings = [];
    page.on("console", (m) => {
      if (m.type() === "error") this.problems.push(`console: ${m.text()}`);
      if (m.type() === "warning") this.warnings.push(m.text());
    });
    page.on("pageerror", (e) => this.problems.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => {
      // A request the test's own navigation cut short (a chunk the page was fetching when the
      // test went to another link) is the browser's doing, not the page's.
      if (this.leaving && r.failure()?.errorText === "net::ERR_ABORTED") return;
      this.problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on("response", (r) => {
      if (r.status() >= 400) this.problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    this.runPanels = page.getByTestId("run-panel");
    this.canvases = page.getByTestId("gantt-canvas");
    this.summary = page.getByTestId("summary");
    this.summaryRows = page.getByTestId("summary-row");
    this.legend = page.getByTestId("legend");
    this.tabs = page.getByTestId("model-tab");
  }

  /** Runs `navigate` (a goto or a reload), during which requests the page has under way may be
   *  cut short without counting as problems. */
  async leave(navigate) {
    this.leaving = true;
    try {
      return await navigate();
    } finally {
      this.leaving = false;
    }
  }

  /** Opens the page and waits until every chart has been drawn. */
  async open() {
    await this.page.goto(this.url, { waitUntil: "load" });
    await this.runPanels.first().waitFor();
    await this.waitForCharts();
  }

  /** Scrolls toward the latency plots and the sweep below the charts, whose code loads as
   *  the reader nears them (crates/app/src/deferred.rs), and waits until they are there. */
  async below() {
    await this.page.getByTestId("deferred-near").scrollIntoViewIfNeeded();
    await this.page.getByTestId("sweep").waitFor();
  }

  /** Waits until every Gantt canvas on the page has pixels on it. */
  async waitForCharts() {
    await this.page.waitForFunction(() => {
      const cs = [...document.querySelectorAll('[data-testid="gantt-canvas"]')];
      return cs.length > 0 && cs.every((c) => c.dataset.drawn === "true");
    });
  }

  /** The models shown, in order. */
  async models() {
    return this.runPanels.evaluateAll((els) => els.map((e) => e.dataset.model));
  }

  /**
   * Pixel statistics of the `i`th chart: the share of painted pixels, and how many pixels are
   * within a small distance of each colour in `palette` ({name: "#RRGGBB"}).
   */
  async canvasStats(i, palette = {}) {
    return this.canvases.nth(i).evaluate((canvas, palette) => {
      const ctx = canvas.getContext("2d");
      const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const targets = Object.entries(palette).map(([name, hex]) => [
        name,
        [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16)),
      ]);
      const hits = Object.fromEntries(targets.map(([n]) => [n, 0]));
      let painted = 0;
      for (let p = 0; p < data.length; p += 4) {
        if (data[p + 3] === 0) continue;
        painted++;
        if (data[p + 3] < 250) continue;
        for (const [name, [r, g, b]] of targets) {
          if (Math.abs(data[p] - r) + Math.abs(data[p + 1] - g) + Math.abs(data[p + 2] - b) < 12) {
            hits[name]++;
          }
        }
      }
      return { width, height, painted: painted / (width * height), hits };
    }, palette);
  }

  /** The summary table as rows of cell texts. */
  async summaryTable() {
    return this.summaryRows.evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll("th, td")].map((c) => c.textContent.trim())),
    );
  }

  /** Clicks the model tab labelled `label` ("Compare all", "async", …). */
  async pick(label) {
    await this.tabs.filter({ hasText: new RegExp(`^${label.replace(/[()]/g, "\\$&")}$`) }).click();
    await this.waitForCharts();
  }

  /** The run panel of the model labelled `label` ("threads(4)", …). */
  runPanel(label) {
    return this.page.locator(`[data-testid="run-panel"][data-model="${label}"]`);
  }

  /**
   * Opens the Python dialog of the model labelled `label` from its run panel (a click, or Enter
   * on the focused chip with `{ keyboard: true }`), and waits for the program. Returns the open
   * dialog.
   */
  async openPython(label, { keyboard = false } = {}) {
    const chip = this.runPanel(label).getByTestId("export-python");
    if (keyboard) {
      await chip.focus();
      await this.page.keyboard.press("Enter");
    } else {
      await chip.click();
    }
    const dialog = this.page.locator('[data-testid="python-dialog"][open]');
    await dialog.getByTestId("python-code").waitFor({ timeout: 30_000 });
    return dialog;
  }

  /** Switches Gantt rows to "by worker" or "by task". */
  /** Loads a scenario (JSON text or object) through the page's `window.whenasync.load` hook. */
  async load(scenario) {
    const json = typeof scenario === "string" ? scenario : JSON.stringify(scenario);
    const error = await this.page.evaluate((j) => window.whenasync.load(j), json);
    if (error !== null) throw new Error(`the page refused the scenario: ${error}`);
  }

  /** Starts counting animation frames (a frozen main thread draws none) and long tasks. */
  async countFrames() {
    await this.page.evaluate(() => {
      window.__frames = 0;
      window.__longTasks = [];
      const tick = () => {
        window.__frames++;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      try {
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) window.__longTasks.push(Math.round(e.duration));
        }).observe({ type: "longtask" });
      } catch {
        // No long-task timing in this browser: frames alone tell.
      }
    });
  }

  /** Frames drawn and long tasks (ms) since countFrames(). */
  async frames() {
    return this.page.evaluate(() => ({ frames: window.__frames, longTasks: window.__longTasks }));
  }

  /**
   * Times one edit: sets the input `#id` to `value` and waits for the animation frame after
   * every chart has been redrawn. Milliseconds.
   */
  async timeEdit(id, value) {
    return (await this.timeEditParts(id, value)).frame;
  }

  /**
   * Types `value` into the field `id` and times it: `drawn`, ms until the last Gantt chart has
   * been redrawn (the work: simulate, update, draw); `frame`, ms until the next animation frame
   * after that, when the browser shows it.
   */
  async timeEditParts(id, value) {
    return this.page.evaluate(
      async ({ id, value }) => {
        const charts = () => [...document.querySelectorAll('[data-testid="gantt-canvas"]')];
        for (const c of charts()) c.removeAttribute("data-drawn");
        const all = () => charts().length > 0 && charts().every((c) => c.dataset.drawn === "true");
        const input = document.getElementById(id);
        let drawn = null;
        const t0 = performance.now();
        const watch = new MutationObserver(() => {
          if (drawn === null && all()) drawn = performance.now() - t0;
        });
        watch.observe(document.body, { attributes: true, subtree: true, attributeFilter: ["data-drawn"] });
        input.value = value;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        await new Promise((done) => {
          const check = () => (all() ? done() : requestAnimationFrame(check));
          requestAnimationFrame(check);
        });
        const frame = performance.now() - t0;
        watch.disconnect();
        return { drawn: drawn ?? frame, frame };
      },
      { id, value },
    );
  }

  async rowsBy(label) {
    await this.page.getByTestId("view-picker").getByRole("button", { name: label }).click();
    await this.waitForCharts();
  }
}

/**
 * A scenario of `count` requests on a web server (2 ms CPU, 20 ms I/O, 1 ms CPU, Poisson 300/s)
 * under sync, async, threads(8) and processes(4), as an object.
 */
export function bigScenario(count, models) {
  return {
    version: 1,
    name: `server-${count}`,
    title: `${count.toLocaleString("en")} requests on a web server`,
    seed: 7,
    workload: {
      classes: [{ name: "request", steps: [{ cpu: "2ms" }, { io: "20ms" }, { cpu: "1ms" }] }],
      arrivals: { poisson: { rate_per_s: 300, count } },
    },
    models: models ?? [{ kind: "sync" }, { kind: "async" }, { kind: "threads", workers: 8 }, { kind: "processes", workers: 4 }],
  };
}

/** An `s=1.` link fragment of a scenario, packed as the link crate packs it. */
export function packed(scenario) {
  const json = typeof scenario === "string" ? scenario : JSON.stringify(scenario);
  return `s=1.${deflateRawSync(Buffer.from(json), { level: 9 }).toString("base64url")}`;
}

/** "1.00 s" / "102 ms" / "250 µs" → milliseconds. */
export function toMs(text) {
  const m = /([\d.]+)\s*(s|ms|µs|ns)\b/.exec(text);
  if (!m) throw new Error(`no duration with a unit in ${JSON.stringify(text)}`);
  const scale = { s: 1000, ms: 1, "µs": 1e-3, ns: 1e-6 }[m[2]];
  return Number(m[1]) * scale;
}
