// End-to-end: links, sharing, embeds and exports — and hostile links. Every scenario is a
// link restored on load and kept up to date as the user edits; a damaged, truncated,
// oversized or too-new link shows a banner and a working playground; nothing in a link is
// injected as HTML; Share copies; the embed view and the custom element render in a blog-like
// page; CSV, trace, PNG and Perfetto exports carry the run. Run by scripts/test.sh against
// the release builds (at / and at the sub-path /whenasync/).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { serve } from "./server.mjs";
import { bigScenario, packed, PlaygroundPage, toMs } from "./playground.mjs";
import { buildOrSkip, SCREENSHOTS, useBrowser, useServer } from "./harness.mjs";

const DIST = process.env.WHENASYNC_E2E_DIST ?? "dist";
const SUBPATH_DIST = process.env.WHENASYNC_E2E_SUBPATH_DIST ?? "target/e2e-subpath/whenasync";
const DESKTOP = { width: 1280, height: 720 };
/** The link crate's MAX_LINK_CHARS (crates/link/src/lib.rs). */
const MAX_LINK_CHARS = 64 * 1024;
const LANDING_MODELS = ["sync", "async", "threads(10)", "processes(4, fork)"];

const preset = (name) => JSON.parse(readFileSync(`presets/${name}.json`, "utf8"));

/** The playground, plus what links need. */
class LinksPage extends PlaygroundPage {
  constructor(page, url) {
    super(page, url);
    this.banner = page.getByTestId("link-banner");
    this.title = page.getByTestId("scenario-title");
  }

  /** Opens `fragment` (with its `#`) on the page's URL and waits for the charts. */
  async openLink(fragment) {
    // A URL that differs only in its fragment would not load the page again.
    await this.leave(async () => {
      if (this.page.url().startsWith(this.url)) await this.page.goto("about:blank");
      await this.page.goto(this.url + fragment, { waitUntil: "load" });
    });
    await this.runPanels.first().waitFor();
    await this.waitForCharts();
  }

  async hash() {
    return this.page.evaluate(() => location.hash);
  }

  async historyLength() {
    return this.page.evaluate(() => history.length);
  }

  /** Which rows button is pressed ("by worker" / "by task"). */
  async rows() {
    return this.page
      .getByTestId("view-picker")
      .locator('button[aria-pressed="true"]')
      .innerText();
  }

  /** Opens an inspector tab ("Presets", "Workload", …), expanded. */
  async tab(name) {
    const tab = this.page.getByRole("tab", { name });
    if ((await tab.getAttribute("aria-selected")) !== "true") await tab.click();
    const toggle = this.page.getByTestId("inspector-toggle");
    if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
  }

  /** Waits until the fragment matches `re`. */
  async waitForHash(re) {
    await this.page.waitForFunction((src) => new RegExp(src).test(location.hash), re.source);
    return this.hash();
  }

  /** The landing preset, drawn and usable: four models, and a tab click still works. */
  async checkUsableLanding() {
    assert.match(await this.title.innerText(), /gather/i);
    assert.deepEqual(await this.models(), LANDING_MODELS);
    const s = await this.canvasStats(0);
    assert.ok(s.painted > 0.02, `the chart is ${(s.painted * 100).toFixed(2)} % painted`);
    await this.pick("async");
    assert.deepEqual(await this.models(), ["async"]);
  }
}

const chromium = useBrowser();

async function open(url, { fragment = "", viewport = DESKTOP, permissions, init } = {}) {
  const context = await chromium.browser.newContext({ viewport, colorScheme: "light" });
  if (permissions) await context.grantPermissions(permissions, { origin: new URL(url).origin });
  const page = await context.newPage();
  if (init) await page.addInitScript(init);
  const dialogs = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  const pg = new LinksPage(page, url);
  pg.dialogs = dialogs;
  await pg.openLink(fragment);
  return { pg, context };
}

describe("links", () => {
  const skip = buildOrSkip(DIST);
  const server = useServer(DIST, "/", skip);

  test("a preset link restores the preset, the model, the rows and the zoom window", { skip }, async () => {
    const window = [100_000_000, 300_000_000];
    const { pg, context } = await open(server.url, {
      fragment: `#preset=cpu-in-async-handler&m=1&lanes=task&t=${window.join("-")}`,
    });
    assert.equal(await pg.title.innerText(), preset("cpu-in-async-handler").title);
    assert.deepEqual(await pg.models(), ["server(4 × async)"]);
    assert.equal(await pg.rows(), "by task");
    const shown = await pg.canvases.first().getAttribute("data-window");
    assert.equal(shown, window.join(","));
    assert.equal(await pg.banner.count(), 0);
    // Nothing was rewritten: the address bar still holds the link that was opened.
    assert.equal(await pg.hash(), `#preset=cpu-in-async-handler&m=1&lanes=task&t=${window.join("-")}`);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("a link pasted into the address bar of the open page opens there", { skip }, async () => {
    const { pg, context } = await open(server.url);
    await pg.page.evaluate(() => {
      location.hash = "#preset=gil-convoy&m=1&lanes=task";
    });
    await pg.page.waitForFunction(() => /convoy/i.test(document.querySelector('[data-testid="scenario-title"]').textContent));
    await pg.waitForCharts();
    assert.equal(await pg.title.innerText(), preset("gil-convoy").title);
    assert.deepEqual(await pg.models(), ["processes(2, fork)"]);
    assert.equal(await pg.rows(), "by task");
    // A bad one keeps what is on screen, and says so.
    await pg.page.evaluate(() => {
      location.hash = "#s=3.AAAA";
    });
    await pg.banner.waitFor();
    assert.match(await pg.banner.innerText(), /link format 3[\s\S]*The scenario on screen is unchanged\./);
    assert.equal(await pg.title.innerText(), preset("gil-convoy").title);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("edits replace the URL, a preset from the gallery pushes it, and both reload", { skip }, async () => {
    const { pg, context } = await open(server.url);
    const length = await pg.historyLength();
    await pg.tab("Workload");
    const input = pg.page.locator("#ed-c0-s1-v0");
    await input.fill("250ms");
    const edited = await pg.waitForHash(/^#s=1\.[A-Za-z0-9_-]+&m=compare$/);
    assert.equal(await pg.historyLength(), length, "an edit added a history entry");
    // Viewing changes replace too: one model, rows by task.
    await pg.pick("sync");
    await pg.rowsBy("by task");
    const viewed = await pg.waitForHash(/&m=0&lanes=task$/);
    assert.ok(viewed.startsWith(edited.replace(/&m=compare$/, "")), viewed);
    assert.equal(await pg.historyLength(), length);
    console.log(`edited landing preset: a ${viewed.length - 1}-character link`);

    // Reloading the URL restores the edit and the view.
    await pg.leave(() => pg.page.reload({ waitUntil: "load" }));
    await pg.runPanels.first().waitFor();
    await pg.waitForCharts();
    assert.deepEqual(await pg.models(), ["sync"]);
    assert.equal(await pg.rows(), "by task");
    assert.equal(toMs((await pg.summaryTable())[0][1]), 2500);
    await pg.tab("Workload");
    assert.equal(await pg.page.locator("#ed-c0-s1-v0").inputValue(), "250ms");
    assert.equal(await pg.page.getByTestId("edited").count(), 1);

    // Loading a preset is an explicit action: a history entry of its own, and Back returns.
    await pg.tab("Presets");
    await pg.page.locator('[data-testid="preset"][data-name="cpu-threads-gil"]').click();
    // Every model again; the rows stay by task.
    await pg.waitForHash(/^#preset=cpu-threads-gil&m=compare&lanes=task$/);
    await pg.waitForCharts();
    assert.equal(await pg.historyLength(), length + 1);
    await pg.page.goBack();
    await pg.waitForHash(/^#s=1\./);
    await pg.page.waitForFunction(() => /gather/i.test(document.querySelector('[data-testid="scenario-title"]').textContent));
    await pg.waitForCharts();
    assert.equal(toMs((await pg.summaryTable())[0][1]), 2500);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("a preset loaded from the gallery adds one history entry", { skip }, async () => {
    const { pg, context } = await open(server.url);
    const length = await pg.historyLength();
    await pg.tab("Presets");
    await pg.page.locator('[data-testid="preset"][data-name="cpu-threads-gil"]').click();
    await pg.waitForHash(/^#preset=cpu-threads-gil&m=compare$/);
    assert.equal(await pg.historyLength(), length + 1);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("a scenario loaded from a file adds one history entry, and Back returns", { skip }, async () => {
    const { pg, context } = await open(server.url);
    const length = await pg.historyLength();
    // Not a preset as it stands: its link carries it, deflated by the browser a turn later.
    const loaded = { ...preset("cpu-threads-gil"), seed: preset("cpu-threads-gil").seed + 2 };
    await pg.load(loaded);
    await pg.waitForHash(/^#s=1\.[A-Za-z0-9_-]+&m=compare$/);
    await pg.waitForCharts();
    assert.equal(await pg.historyLength(), length + 1);
    await pg.page.goBack();
    await pg.page.waitForFunction(() => /gather/i.test(document.querySelector('[data-testid="scenario-title"]').textContent));
    await pg.waitForCharts();
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  const edited = { ...preset("cpu-in-async-handler"), seed: preset("cpu-in-async-handler").seed + 1 };
  const good = packed(edited);
  const hostile = [
    ["corrupted", `#s=1.${"Zm9v".repeat(20)}`, /the link is damaged or truncated \(its scenario does not decompress\)/],
    ["truncated", `#${good.slice(0, Math.floor(good.length / 2))}&m=0`, /the link is damaged or truncated/],
    ["oversized", `#s=1.${"A".repeat(MAX_LINK_CHARS + 10)}`, new RegExp(`the link is ${MAX_LINK_CHARS + 14} characters long, over the limit of ${MAX_LINK_CHARS}`)],
    ["from the future", `#s=7.${good.slice(4)}&m=0`, /made by a newer version of whenasync \(link format 7\); this version reads format 1/],
    ["absurd", `#${packed({ ...bigScenario(10), workload: { ...bigScenario(10).workload, arrivals: { burst: { count: 4_000_000_000 } } } })}`, /the link's scenario is invalid: .*limit/],
  ];
  for (const [what, fragment, banner] of hostile) {
    test(`a ${what} link shows a banner and a working playground`, { skip }, async () => {
      const { pg, context } = await open(server.url, { fragment });
      await pg.banner.waitFor();
      const text = await pg.banner.innerText();
      assert.match(text, /^This link could not be opened: /);
      assert.match(text, banner);
      assert.match(text, /The playground opened its default scenario instead\./);
      await pg.checkUsableLanding();
      if (what === "from the future") {
        await pg.page.screenshot({ path: join(SCREENSHOTS, "links-banner.png") });
      }
      // Dismissed, it is gone; the playground carries on.
      await pg.page.getByTestId("link-banner-dismiss").click();
      assert.equal(await pg.banner.count(), 0);
      assert.deepEqual(pg.problems, []);
      await context.close();
    });
  }

  test("nothing in a link is injected as HTML", { skip }, async () => {
    const payload = `<img src=x onerror="window.__pwned=1;alert(1)">`;
    // As a preset name.
    const { pg, context } = await open(server.url, { fragment: `#preset=${payload}&m=0` });
    await pg.banner.waitFor();
    assert.match(await pg.banner.innerText(), /names a preset that does not exist: "<img src=x onerror=/);
    await pg.checkUsableLanding();
    // As the title and a class name of a valid scenario.
    const sc = bigScenario(20);
    sc.title = payload;
    sc.description = `<script>window.__pwned=2</script>${payload}`;
    sc.workload.classes[0].name = payload;
    await pg.openLink(`#${packed(sc)}`);
    assert.equal(await pg.title.innerText(), payload);
    for (const p of [pg.page, ...pg.page.frames()]) {
      assert.equal(await p.evaluate(() => document.querySelectorAll("img, script:not([type=module])").length), 0);
    }
    assert.equal(await pg.page.evaluate(() => window.__pwned), undefined);
    // The embed dialog's snippets carry the title escaped.
    await pg.page.getByTestId("embed-open-dialog").click();
    const snippet = await pg.page.getByTestId("embed-iframe-snippet").inputValue();
    assert.ok(snippet.includes("&lt;img src=x onerror=&quot;window.__pwned=1;alert(1)&quot;&gt;"), snippet);
    assert.ok(!snippet.includes("<img"), snippet);
    assert.deepEqual(pg.dialogs, []);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("Share copies the link and says so", { skip }, async () => {
    const { pg, context } = await open(server.url, {
      fragment: "#preset=cpu-threads-gil&m=1",
      permissions: ["clipboard-read", "clipboard-write"],
    });
    await pg.page.getByTestId("share").click();
    const status = pg.page.getByTestId("share-status");
    await pg.page.waitForFunction(() => document.querySelector('[data-testid="share-status"]').textContent === "Link copied");
    assert.equal(await status.getAttribute("aria-live"), "polite");
    const copied = await pg.page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, `${server.url}#preset=cpu-threads-gil&m=1`);
    await pg.page.screenshot({ path: join(SCREENSHOTS, "links-share.png") });
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("without a clipboard, Share shows the link selected in a field", { skip }, async () => {
    const { pg, context } = await open(server.url, {
      init: () => Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined }),
    });
    await pg.page.getByTestId("share").click();
    const field = pg.page.getByTestId("share-fallback");
    await field.waitFor();
    await pg.page.waitForFunction(() => {
      const i = document.querySelector('[data-testid="share-fallback"]');
      return i.value !== "" && i.selectionStart === 0 && i.selectionEnd === i.value.length;
    });
    assert.equal(await field.inputValue(), `${server.url}#preset=gather-10-queries&m=compare`);
    assert.match(await pg.page.getByTestId("share-status").innerText(), /Copy the link below/);
    const selected = await field.evaluate((i) => i.value.slice(i.selectionStart, i.selectionEnd));
    assert.equal(selected, await field.inputValue());
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("the Embed dialog shows the iframe and custom element snippets", { skip }, async () => {
    const { pg, context } = await open(server.url, {
      fragment: "#preset=cpu-threads-gil&m=1",
      permissions: ["clipboard-read", "clipboard-write"],
    });
    await pg.page.getByTestId("embed-open-dialog").click();
    const dialog = pg.page.getByTestId("embed-dialog");
    await dialog.waitFor();
    const iframe = pg.page.getByTestId("embed-iframe-snippet");
    assert.match(
      await iframe.inputValue(),
      new RegExp(`^<iframe src="${server.url}#preset=cpu-threads-gil&amp;m=1&amp;w=gantt" title="whenasync: Threads don&#39;t speed up pure-Python CPU"`),
    );
    assert.match(await iframe.inputValue(), /e\.data\?\.type !== "whenasync:height"/);
    await dialog.locator('[data-widget="latency"]').click();
    assert.match(await iframe.inputValue(), /&amp;w=latency"/);
    assert.equal(
      await pg.page.getByTestId("embed-element-snippet").inputValue(),
      `<script type="module" src="${server.url}embed.js"></script>\n` +
        `<whenasync-widget scenario="#preset=cpu-threads-gil&amp;m=1" widget="latency"></whenasync-widget>`,
    );
    await pg.page.getByTestId("embed-copy-iframe").click();
    await pg.page.waitForFunction(() => /copied/.test(document.querySelector('[data-testid="embed-status"]').textContent));
    assert.equal(await pg.page.evaluate(() => navigator.clipboard.readText()), await iframe.inputValue());
    await pg.page.screenshot({ path: join(SCREENSHOTS, "links-embed-dialog.png") });
    await pg.page.keyboard.press("Escape");
    await pg.page.waitForFunction(() => !document.querySelector('[data-testid="embed-dialog"]').open);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("the example blog post sizes its iframes and draws the custom element", { skip, timeout: 60_000 }, async () => {
    const context = await chromium.browser.newContext({ viewport: DESKTOP, colorScheme: "light" });
    const pg = new LinksPage(await context.newPage(), server.url);
    const before = server.requests.length;
    await pg.leave(() => pg.page.goto(`${server.url}example-blog.html`, { waitUntil: "load" }));
    // Both iframes report their height and the host sizes them to it.
    await pg.page.waitForFunction(() => [...document.querySelectorAll("iframe")].every((f) => Number(f.dataset.reported) > 150), null, { timeout: 30_000 });
    for (const id of ["embed-gantt", "embed-latency"]) {
      const frame = pg.page.frameLocator(`#${id}`);
      const widget = id === "embed-gantt" ? "gantt" : "latency";
      await frame.locator(`[data-testid="embed"][data-widget="${widget}"]`).waitFor();
      const canvas = widget === "gantt" ? '[data-testid="gantt-canvas"]' : '[data-testid="latency-cdf"]';
      await pg.page.waitForFunction(
        ([id, canvas]) => {
          const doc = document.getElementById(id).contentDocument;
          const cs = [...doc.querySelectorAll(canvas)];
          return cs.length > 0 && cs.every((c) => c.width > 0 && (c.dataset.drawn === "true" || c.dataset.drawn === undefined));
        },
        [id, canvas],
      );
      // Drawn: pixels on the canvas, not just an element.
      const painted = await pg.page.evaluate(([id, canvas]) => {
        const c = document.getElementById(id).contentDocument.querySelector(canvas);
        const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
        let n = 0;
        for (let p = 3; p < data.length; p += 4) if (data[p] > 0) n++;
        return n / (c.width * c.height);
      }, [id, canvas]);
      assert.ok(painted > 0.02, `${id}: ${(painted * 100).toFixed(2)} % painted`);
      // The iframe is as tall as what it shows: no inner scroll bar, no gap.
      await pg.page.waitForFunction((id) => {
        const f = document.getElementById(id);
        const inner = f.contentDocument.documentElement.getBoundingClientRect().height;
        return Math.abs(f.getBoundingClientRect().height - Math.ceil(inner)) <= 1;
      }, id);
      // Minimal chrome: the widget, not the playground.
      assert.equal(await frame.locator('[data-testid="app"]').count(), 0);
      assert.equal(await frame.locator('[data-testid="embed-open"]').getAttribute("target"), "_blank");
    }
    const gantt = pg.page.frameLocator("#embed-gantt");
    assert.deepEqual(
      await gantt.locator('[data-testid="run-panel"]').evaluateAll((els) => els.map((e) => e.dataset.model)),
      LANDING_MODELS,
    );
    assert.equal(
      await gantt.locator('[data-testid="embed-open"]').getAttribute("href"),
      `${server.url}#preset=gather-10-queries&m=compare`,
    );

    // The custom element: drawn in its shadow root, no playground mounted in the host page.
    const element = pg.page.locator("#embed-element");
    const canvas = element.locator('[data-testid="gantt-canvas"]');
    await canvas.waitFor({ timeout: 30_000 });
    await pg.page.waitForFunction(() => {
      const c = document.getElementById("embed-element").shadowRoot?.querySelector('[data-testid="gantt-canvas"]');
      return c?.dataset.drawn === "true";
    });
    const stats = await pg.canvasStats.call({ canvases: canvas }, 0);
    assert.ok(stats.painted > 0.02, `custom element chart ${(stats.painted * 100).toFixed(2)} % painted`);
    assert.ok(stats.width >= 600, `custom element chart ${stats.width} px wide`);
    assert.equal(await element.locator('[data-testid="run-panel"]').getAttribute("data-model"), "threads(4)");
    assert.equal(await element.locator('[data-testid="embed-open"]').getAttribute("href"), `${server.url}#preset=cpu-threads-gil&m=1`);
    assert.equal(await pg.page.locator('[data-testid="app"]').count(), 0, "embed.js mounted the playground");
    // The host's serif font did not leak into the shadow root.
    const font = await element.locator('[data-testid="embed"]').evaluate((e) => getComputedStyle(e).fontFamily);
    assert.match(font, /system-ui/);
    await pg.page.screenshot({ path: join(SCREENSHOTS, "links-blog.png"), fullPage: true });

    const fetched = server.requests.slice(before);
    assert.ok(fetched.every((r) => r.status === 200), JSON.stringify(fetched.filter((r) => r.status !== 200)));
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("CSV and trace downloads carry the run; PNG is an image", { skip }, async () => {
    const { pg, context } = await open(server.url);
    const panel = pg.runPanels.first();
    const save = async (testid) => {
      const [download] = await Promise.all([pg.page.waitForEvent("download"), panel.getByTestId(testid).click()]);
      return { name: download.suggestedFilename(), body: readFileSync(await download.path()) };
    };
    const csv = await save("export-csv");
    assert.equal(csv.name, "whenasync-gather-10-queries-sync-tasks.csv");
    const lines = csv.body.toString("utf8").trim().split("\n");
    assert.match(lines[0], /^id,class,arrival_ms,start_ms,end_ms,latency_ms,cancelled,timed_out,/);
    assert.equal(lines.length, 11, "a header and ten tasks");
    // Sync: the last query ends at 1 s.
    const latency = lines.slice(1).map((l) => Number(l.split(",")[5]));
    assert.ok(Math.abs(Math.max(...latency) - 1000) < 5, `latencies ${latency}`);

    const trace = await save("export-trace");
    assert.equal(trace.name, "whenasync-gather-10-queries-sync-trace.json");
    const json = JSON.parse(trace.body.toString("utf8"));
    assert.equal(json.otherData.model, "sync");
    assert.equal(json.otherData.generator, "whenasync");
    assert.ok(json.traceEvents.some((e) => e.ph === "X" && /^task 9 · /.test(e.name)), "no slice of task 9");

    // Any chart: a latency plot too.
    await pg.below();
    await pg.page.getByTestId("latency").scrollIntoViewIfNeeded();
    const [plot] = await Promise.all([
      pg.page.waitForEvent("download"),
      pg.page.getByTestId("latency").locator("figure").nth(1).getByTestId("export-png").click(),
    ]);
    assert.equal(plot.suggestedFilename(), "whenasync-gather-10-queries-cumulative-distribution.png");
    assert.equal(readFileSync(await plot.path()).subarray(1, 4).toString("latin1"), "PNG");

    const png = await save("export-png");
    assert.equal(png.name, "whenasync-gather-10-queries-sync.png");
    assert.deepEqual([...png.body.subarray(1, 4)].map((b) => String.fromCharCode(b)).join(""), "PNG");
    const width = png.body.readUInt32BE(16);
    const height = png.body.readUInt32BE(20);
    const canvas = await pg.canvases.first().evaluate((c) => [c.width, c.height]);
    assert.deepEqual([width, height - canvas[1]], [canvas[0], 28], `PNG ${width}×${height}, canvas ${canvas}`);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("Open in Perfetto hands the trace over after PING/PONG", { skip }, async () => {
    const { pg, context } = await open(server.url, { fragment: "#preset=gather-10-queries&m=1" });
    // A stand-in for the Perfetto tab: no network. It answers PONG from Perfetto's origin.
    await pg.page.evaluate(() => {
      window.__perfetto = { opened: [], messages: [] };
      window.open = (url) => {
        window.__perfetto.opened.push(url);
        let pings = 0;
        return {
          closed: false,
          postMessage(message, origin) {
            window.__perfetto.messages.push({ message, origin });
            if (message === "PING" && ++pings === 3) {
              window.dispatchEvent(new MessageEvent("message", { data: "PONG", origin: "https://ui.perfetto.dev" }));
            }
          },
        };
      };
    });
    await pg.runPanels.first().getByTestId("export-perfetto").click();
    await pg.page.waitForFunction(() => /Trace sent to Perfetto UI/.test(document.querySelector('[data-testid="export-status"]').textContent));
    const got = await pg.page.evaluate(() => {
      const { opened, messages } = window.__perfetto;
      const last = messages.at(-1);
      const p = last.message.perfetto;
      return {
        opened,
        pings: messages.filter((m) => m.message === "PING").length,
        origins: [...new Set(messages.map((m) => m.origin))],
        title: p.title,
        fileName: p.fileName,
        isBuffer: p.buffer instanceof ArrayBuffer,
        trace: JSON.parse(new TextDecoder().decode(p.buffer)),
      };
    });
    assert.deepEqual(got.opened, ["https://ui.perfetto.dev/#!/"]);
    assert.equal(got.pings, 3);
    assert.deepEqual(got.origins, ["https://ui.perfetto.dev"]);
    assert.equal(got.title, "whenasync · 10 awaited queries: gather vs one at a time · async");
    assert.equal(got.fileName, "whenasync-gather-10-queries-async-trace.json");
    assert.ok(got.isBuffer);
    assert.equal(got.trace.otherData.model, "async");
    assert.ok(got.trace.traceEvents.length > 20);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("a heavy but valid link simulates in the workers, and the page keeps drawing", { skip, timeout: 120_000 }, async () => {
    const context = await chromium.browser.newContext({ viewport: DESKTOP, colorScheme: "light" });
    const pg = new LinksPage(await context.newPage(), server.url);
    await pg.page.addInitScript(() => {
      window.__frames = 0;
      const tick = () => {
        window.__frames++;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const started = Date.now();
    await pg.leave(() => pg.page.goto(`${server.url}#${packed(bigScenario(30_000))}&m=compare`, { waitUntil: "load" }));
    const progress = pg.page.getByTestId("sim-progress");
    await progress.waitFor();
    assert.match(await progress.innerText(), /(Simulating|Figures are up · tracing) 30,000 tasks × 4 models in the background/);
    await pg.page.getByTestId("sim-timing").waitFor({ timeout: 100_000 });
    const frames = await pg.page.evaluate(() => window.__frames);
    await pg.waitForCharts();
    console.log(`a 30,000-task link: runs after ${Date.now() - started} ms, ${frames} animation frames meanwhile`);
    assert.ok(frames >= 10, `the page drew only ${frames} frames`);
    assert.equal(await pg.title.innerText(), "30,000 requests on a web server");
    assert.equal(await pg.banner.count(), 0);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("a panic leaves a visible message, not a dead page", { skip }, async () => {
    const { pg, context } = await open(server.url);
    await pg.page.evaluate(() => {
      try {
        window.wasmBindings.whenasync_crash_test();
      } catch {
        // The wasm traps after the hook has run.
      }
    });
    const banner = pg.page.getByTestId("crash-banner");
    await banner.waitFor();
    assert.match(await banner.innerText(), /whenasync stopped because of a bug/);
    const message = await pg.page.getByTestId("crash-message").innerText();
    assert.match(message, /a deliberate panic/);
    // The page's build drops panic locations for size; the banner does not show their stub.
    assert.doesNotMatch(message, /redacted|:0:0/);
    assert.ok(await banner.isVisible());
    // The only problem is the panic itself, logged to the console.
    assert.ok(pg.problems.length > 0 && pg.problems.every((p) => /deliberate panic|unreachable/i.test(p)), pg.problems.join("\n"));
    await context.close();
  });
});

describe("links at a sub-path", () => {
  const skip = buildOrSkip(SUBPATH_DIST);
  const server = useServer(SUBPATH_DIST, "/whenasync/", skip);

  test("the URL keeps its path under <base>, and embeds load under the sub-path", { skip, timeout: 60_000 }, async () => {
    const context = await chromium.browser.newContext({ viewport: DESKTOP, colorScheme: "light" });
    const pg = new LinksPage(await context.newPage(), `${server.url}index.html`);
    await pg.openLink("#preset=cpu-threads-gil&m=2");
    assert.deepEqual(await pg.models(), ["processes(4, fork)"]);
    await pg.rowsBy("by task");
    await pg.waitForHash(/^#preset=cpu-threads-gil&m=2&lanes=task$/);
    assert.equal(await pg.page.evaluate(() => location.pathname), "/whenasync/index.html");
    await pg.leave(() => pg.page.goto(`${server.url}example-blog.html`, { waitUntil: "load" }));
    await pg.page.waitForFunction(() => [...document.querySelectorAll("iframe")].every((f) => Number(f.dataset.reported) > 150), null, { timeout: 30_000 });
    await pg.page.waitForFunction(() => {
      const c = document.getElementById("embed-element").shadowRoot?.querySelector('[data-testid="gantt-canvas"]');
      return c?.dataset.drawn === "true";
    });
    assert.deepEqual(server.requests.filter((r) => !r.path.startsWith("/whenasync/")), []);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });
});
