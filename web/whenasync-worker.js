// A simulation worker (crates/app/src/workers.rs starts one per hardware thread). It runs the
// page's own wasm: the page's first message names the page's JS glue and carries its
// WebAssembly.Module, already compiled, so nothing is downloaded or compiled again. Once
// instantiated, the wasm takes the messages over and posts Ready (crates/worker/src/shell.rs).
// The Python writer's worker starts here too, with its own glue and its wasm's URL instead
// (crates/app/src/python_panel/writer.rs, crates/python-wasm).
self.addEventListener("message", async function boot(event) {
  self.removeEventListener("message", boot);
  try {
    const glue = await import(event.data.glue);
    await glue.default({ module_or_path: event.data.module });
    glue.whenasync_serve_worker();
  } catch (error) {
    // Thrown outside the promise, it reaches the page's onerror: the job fails with it.
    setTimeout(() => {
      throw error;
    });
  }
});
