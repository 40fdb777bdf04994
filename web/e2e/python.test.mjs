// End-to-end: the Python program of the scenario on screen under one model (the text
// `whenasync python` prints), written as the dialog opens by the Python writer, a wasm module
// that the page fetches only then, even while the workers are busy with a big scenario: Copy
// puts it on the clipboard (or selects it where there is no clipboard), Download saves it as
// .py, Esc closes and gives the focus back, dark mode is readable, and a writer that fails to
// load says so and is tried again. Run by scripts/test.sh against the release build.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bigScenario, PlaygroundPage } from "./playground.mjs";
import { serve } from "./server.mjs";
import { buildOrSkip, SCREENSHOTS, useBrowser, useServer } from "./harness.mjs";

const DIST = process.env.WHENASYNC_E2E_DIST ?? "dist";
const DESKTOP = { width: 1280, height: 720 };

const chromium = useBrowser();

async function open(url, { fragment = "", colorScheme = "light", permissions, init } = {}) {
  const context = await chromium.browser.newContext({ viewport: DESKTOP, colorScheme });
  if (permissions) await context.grantPermissions(permissions, { origin: new URL(url).origin });
  const page = await context.newPage();
  if (init) await page.addInitScript(init);
  const pg = new PlaygroundPage(page, url + fragment);
  await pg.open();
  return { pg, context };
}

/** Relative luminance of a computed `rgb(…)` colour, 0 (black) to 1 (white). */
function luminance(css) {
  const [r, g, b] = css.match(/\d+(\.\d+)?/g).slice(0, 3).map((v) => Number(v) / 255);
  const lin = (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

describe("the Python program", () => {
  const skip = buildOrSkip(DIST);
  const server = useServer(DIST, "/", skip);

  test("a threads model's program: shown, copied, downloaded, closed with Esc", { skip }, async () => {
    const { pg, context } = await open(server.url, {
      fragment: "#preset=cpu-threads-gil",
      permissions: ["clipboard-read", "clipboard-write"],
    });
    assert.deepEqual(await pg.models(), ["sync", "threads(4)", "processes(4, fork)"]);
    // The page does not fetch the writer until a program is asked for.
    const writer = () => server.requests.filter((r) => r.path.includes("whenasync-python")).map((r) => r.path.split("?")[0]);
    assert.deepEqual(writer(), []);
    const dialog = await pg.openPython("threads(4)");
    assert.deepEqual(writer().sort(), ["/whenasync-python.js", "/whenasync-python_bg.wasm"]);
    assert.match(await dialog.getByRole("heading").innerText(), /Python program · threads\(4\)/);
    const code = dialog.getByTestId("python-code");
    const program = await code.textContent();
    assert.ok(program.startsWith("#!/usr/bin/env python3\n"), program.slice(0, 200));
    assert.match(program, /^# Scenario: cpu-threads-gil$/m);
    assert.match(program, /^# Model: threads\(4\) — ThreadPoolExecutor\(4\)/m);
    assert.match(program, /^from concurrent\.futures import ThreadPoolExecutor$/m);
    assert.match(program, /^if __name__ == "__main__":$/m);
    assert.match(await dialog.innerText(), /python3 whenasync-cpu-threads-gil-threads-4\.py[\s\S]*whenasync run --json/);
    // The block scrolls rather than growing with the program, and is monospace.
    const box = await code.evaluate((el) => ({
      scrolls: el.scrollHeight > el.clientHeight,
      font: getComputedStyle(el).fontFamily,
      tabIndex: el.tabIndex,
    }));
    assert.ok(box.scrolls, "the program does not scroll");
    assert.match(box.font, /monospace/);
    assert.equal(box.tabIndex, 0, "the code block cannot be reached from the keyboard");

    await dialog.getByTestId("python-copy").click();
    await pg.page.waitForFunction(() =>
      document.querySelector('[data-testid="python-dialog"][open] [data-testid="python-status"]')?.textContent === "Copied",
    );
    assert.equal(await pg.page.evaluate(() => navigator.clipboard.readText()), program);

    const [download] = await Promise.all([
      pg.page.waitForEvent("download"),
      dialog.getByTestId("python-download").click(),
    ]);
    assert.equal(download.suggestedFilename(), "whenasync-cpu-threads-gil-threads-4.py");
    assert.equal(readFileSync(await download.path(), "utf8"), program);
    await pg.page.screenshot({ path: join(SCREENSHOTS, "python-dialog.png") });

    // Esc closes the dialog and gives the focus back to the button that opened it.
    await pg.page.keyboard.press("Escape");
    await pg.page.waitForFunction(() => !document.querySelector('[data-testid="python-dialog"][open]'));
    assert.equal(
      await pg.page.evaluate(() => document.activeElement?.closest('[data-testid="run-panel"]')?.dataset.model),
      "threads(4)",
    );
    assert.equal(await pg.page.evaluate(() => document.activeElement?.dataset.testid), "export-python");

    // Another model, another program (opened from the keyboard): the sync one imports no
    // thread pool. The focus moves into the dialog.
    const sync = await pg.openPython("sync", { keyboard: true });
    assert.equal(await pg.page.evaluate(() => !!document.activeElement?.closest('[data-testid="python-dialog"][open]')), true);
    const syncProgram = await sync.getByTestId("python-code").textContent();
    assert.match(syncProgram, /^# Model: sync — /m);
    assert.doesNotMatch(syncProgram, /^from concurrent\.futures import ThreadPoolExecutor$/m);
    await sync.getByTestId("python-close").click();
    await pg.page.waitForFunction(() => !document.querySelector('[data-testid="python-dialog"][open]'));
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("without a clipboard, Copy selects the program for the user to copy", { skip }, async () => {
    const { pg, context } = await open(server.url, {
      fragment: "#preset=gather-10-queries&m=1",
      init: () => Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined }),
    });
    const dialog = await pg.openPython("async");
    const program = await dialog.getByTestId("python-code").textContent();
    assert.match(program, /^import asyncio$/m);
    await dialog.getByTestId("python-copy").click();
    await pg.page.waitForFunction(() =>
      /refused the clipboard/.test(document.querySelector('[data-testid="python-dialog"][open] [data-testid="python-status"]')?.textContent),
    );
    // Selected (a selection's text drops the last line break).
    assert.equal((await pg.page.evaluate(() => getSelection().toString())).trimEnd(), program.trimEnd());
    assert.equal(await pg.page.evaluate(() => document.activeElement?.dataset.testid), "python-code");
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("dark mode: the program reads light on dark", { skip }, async () => {
    const { pg, context } = await open(server.url, { fragment: "#preset=cpu-threads-gil&m=2", colorScheme: "dark" });
    const dialog = await pg.openPython("processes(4, fork)");
    const program = await dialog.getByTestId("python-code").textContent();
    assert.match(program, /ProcessPoolExecutor/);
    const colours = await dialog.getByTestId("python-code").evaluate((el) => {
      const s = getComputedStyle(el);
      const d = getComputedStyle(el.closest("dialog"));
      return { text: s.color, background: s.backgroundColor, dialog: d.backgroundColor };
    });
    assert.ok(luminance(colours.background) < 0.1, `background ${colours.background}`);
    assert.ok(luminance(colours.dialog) < 0.1, `dialog ${colours.dialog}`);
    assert.ok(luminance(colours.text) > 0.5, `text ${colours.text}`);
    await pg.page.screenshot({ path: join(SCREENSHOTS, "python-dialog-dark.png") });
    assert.deepEqual(pg.problems, []);
    await context.close();
  });

  test("the program arrives while the workers still trace a big scenario", { skip, timeout: 120_000 }, async () => {
    const { pg, context } = await open(server.url);
    // The writer is loaded first: what races the traces below is the request, not the fetch.
    const first = () => pg.runPanels.first().getAttribute("data-model");
    await (await pg.openPython(await first())).getByTestId("python-close").click();
    await pg.load(bigScenario(100_000));
    // As soon as the figures are up, while the workers are busy with the whole runs, the first
    // run's Python chip is clicked from inside the page: Playwright's own round trips to a page
    // that decodes runs took 0.4-0.6 s of the traces' 1 s, and sometimes all of it.
    await pg.page.evaluate(
      () =>
        new Promise((clicked) => {
          const click = () => {
            if (!document.querySelector('[data-testid="trace-pending"]')) return false;
            document.querySelector('[data-testid="run-panel"] [data-testid="export-python"]').click();
            clicked();
            return true;
          };
          if (click()) return;
          const watch = new MutationObserver(() => click() && watch.disconnect());
          watch.observe(document.body, { subtree: true, childList: true });
        }),
    );
    // The writer has a worker of its own: the program does not wait for the traces.
    const dialog = pg.page.locator('[data-testid="python-dialog"][open]');
    await dialog.getByTestId("python-code").waitFor({ timeout: 30_000 });
    const pending = pg.page.getByTestId("trace-pending");
    assert.ok((await pending.count()) > 0, "every trace was in before the program");
    const program = await dialog.getByTestId("python-code").textContent();
    assert.ok(program.startsWith("#!/usr/bin/env python3\n"), program.slice(0, 200));
    // Over the generator's limit of tasks, the program says so (as `whenasync python` does).
    assert.match(program, /100000 tasks is over the limit/);
    assert.deepEqual(pg.problems, []);
    await context.close();
  });
});

describe("a Python writer that fails to load", () => {
  const skip = buildOrSkip(DIST);
  // A copy of the build without the writer's wasm, as a deploy that lost it would serve.
  let dir;
  let site;
  before(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), "whenasync-nowriter-"));
    cpSync(DIST, dir, { recursive: true });
    renameSync(join(dir, "whenasync-python_bg.wasm"), join(dir, "lost.wasm"));
    site = await serve(dir, "/");
  });
  after(async () => {
    await site?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("says why there is no program, and the next opening tries again", { skip }, async () => {
    const { pg, context } = await open(site.url, { fragment: "#preset=gather-10-queries&m=1" });
    await pg.runPanel("async").getByTestId("export-python").click();
    const dialog = pg.page.locator('[data-testid="python-dialog"][open]');
    const notice = dialog.getByTestId("python-notice");
    await pg.page.waitForFunction(() =>
      /^No program: the Python writer could not run \(.*\); open this again to retry$/.test(document.querySelector('[data-testid="python-dialog"][open] [data-testid="python-notice"]')?.textContent),
    );
    assert.match(await notice.textContent(), /404 Not Found/);
    assert.equal(await dialog.getByTestId("python-code").isVisible(), false);
    assert.equal(await dialog.getByTestId("python-copy").isDisabled(), true);
    assert.equal(await dialog.getByTestId("python-download").isDisabled(), true);
    // The playground goes on: close, put the wasm back, open again.
    await dialog.getByTestId("python-close").click();
    renameSync(join(dir, "lost.wasm"), join(dir, "whenasync-python_bg.wasm"));
    const again = await pg.openPython("async");
    assert.match(await again.getByTestId("python-code").textContent(), /^import asyncio$/m);
    assert.deepEqual(
      pg.problems.filter((p) => !/whenasync-python_bg\.wasm/.test(p)),
      [],
      "nothing but the lost wasm went wrong",
    );
    await context.close();
  });
});
