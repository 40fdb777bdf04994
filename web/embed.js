// <whenasync-widget>: one widget of the whenasync playground in a page that does not allow
// iframes. Load it with one script tag from the built site, then place elements anywhere:
//
//   <script type="module" src="https://USER.github.io/whenasync/embed.js"></script>
//   <whenasync-widget scenario="#preset=gather-10-queries&m=compare" widget="gantt"></whenasync-widget>
//
// Attributes: `scenario`, a playground link or its fragment (#preset=… or #s=1.…, with the
// view: m=, lanes=, t=); `widget`, one of gantt, compare, latency, summary, sweep (default:
// the link's w=, else gantt); `theme`, light or dark (default: the reader's system setting).
//
// The widget renders into a shadow root, so the host's CSS does not leak in. This script
// finds the app's (hashed) file names in the site's index.html, sets a flag so the app does
// not mount the whole playground, loads the wasm once for every element on the page, and
// calls its exported mount_widget(). From another origin, the site must send
// Access-Control-Allow-Origin on its responses (GitHub Pages does).

const SITE = new URL("./", import.meta.url);

let app;

/** Loads the app's wasm once: {glue, css}. */
function load() {
  app ??= (async () => {
    const response = await fetch(new URL("index.html", SITE));
    if (!response.ok) throw new Error(`cannot read ${response.url}: HTTP ${response.status}`);
    const html = await response.text();
    const find = (re, what) => {
      const m = html.match(re);
      if (!m) throw new Error(`no ${what} named in ${response.url}`);
      return new URL(m[0], SITE);
    };
    const js = find(/whenasync-app(-[0-9a-f]+)?\.js/, "app script");
    const wasm = find(/whenasync-app(-[0-9a-f]+)?_bg\.wasm/, "app wasm");
    const css = html.match(/style(-[0-9a-f]+)?\.css/);
    // The app's main() sees this and mounts nothing: the elements mount their widgets.
    globalThis.__whenasyncEmbed = true;
    const glue = await import(js.href);
    await glue.default({ module_or_path: wasm });
    return { glue, css: css ? new URL(css[0], SITE).href : null };
  })();
  return app;
}

class WhenasyncWidget extends HTMLElement {
  static observedAttributes = ["scenario", "widget", "theme"];
  #handle = null;
  #token = 0;

  connectedCallback() {
    this.#render();
  }

  attributeChangedCallback() {
    if (this.isConnected && this.#handle) this.#render();
  }

  disconnectedCallback() {
    this.#token++;
    this.#unmount();
  }

  #unmount() {
    if (!this.#handle) return;
    this.#handle.unmount();
    this.#handle.free();
    this.#handle = null;
  }

  async #render() {
    const token = ++this.#token;
    const root = this.shadowRoot ?? this.attachShadow({ mode: "open" });
    let loaded;
    try {
      loaded = await load();
    } catch (e) {
      if (token !== this.#token) return;
      const p = document.createElement("p");
      p.setAttribute("role", "alert");
      p.textContent = `whenasync could not load: ${e.message}`;
      root.replaceChildren(p);
      return;
    }
    if (token !== this.#token || !this.isConnected) return;
    this.#unmount();
    const style = document.createElement("style");
    style.textContent = ":host { display: block; }";
    const nodes = [style];
    let css = null;
    if (loaded.css) {
      css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = loaded.css;
      nodes.push(css);
    }
    const box = document.createElement("div");
    nodes.push(box);
    root.replaceChildren(...nodes);
    // Mount once the stylesheet is in, so the charts measure their final width.
    if (css) {
      await new Promise((ok) => {
        css.addEventListener("load", ok, { once: true });
        css.addEventListener("error", ok, { once: true });
      });
    }
    if (token !== this.#token || !this.isConnected) return;
    this.#handle = loaded.glue.mount_widget(
      box,
      this.getAttribute("scenario") ?? "",
      this.getAttribute("widget") ?? "",
      SITE.href,
      this.getAttribute("theme") ?? "",
    );
  }
}

if (!customElements.get("whenasync-widget")) {
  customElements.define("whenasync-widget", WhenasyncWidget);
}
