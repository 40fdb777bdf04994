// The loading screen's driver, Trunk's initializer for the page's wasm (index.html's
// `data-initializer`). The screen is index.html's #boot: the header and a progress bar, drawn
// by HTML and CSS alone while the wasm downloads, which takes seconds on a slow network. This
// fills the bar as the bytes arrive, and says why if the wasm cannot start. The app removes
// the screen when it mounts (crates/app/src/boot.rs).
export default function initializer() {
  const boot = () => document.getElementById("boot");
  let shown = 0;
  const fail = (reason) => {
    const screen = boot();
    if (!screen) return;
    screen.dataset.state = "failed";
    const message = screen.querySelector(".boot-message");
    // wasm-bindgen names the URL it fetched, which is empty here: Trunk's loader hands it a
    // Response of its own making.
    const why = String(reason?.message ?? reason).replace(/ fetching ''$/, "");
    if (message) message.textContent = `whenasync could not start: ${why}. Reload the page to try again.`;
  };
  // A download cut off midway rejects inside Trunk's loader, which does not catch it: the bar
  // would stop where it was. Until the app mounts (and removes the screen), that says why too.
  addEventListener("unhandledrejection", (event) => fail(event.reason));
  return {
    onProgress({ current, total }) {
      const screen = boot();
      if (!screen || !(total > 0)) return;
      const pct = Math.min(100, Math.floor((current / total) * 100));
      if (pct === shown) return;
      shown = pct;
      screen.style.setProperty("--boot-done", `${pct}%`);
      screen.querySelector("[role=progressbar]")?.setAttribute("aria-valuenow", String(pct));
      const label = screen.querySelector(".boot-pct");
      if (label) label.textContent = `${pct} %`;
    },
    onFailure: fail,
  };
}
