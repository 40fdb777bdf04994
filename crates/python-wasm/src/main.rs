//! The Python writer's wasm module (see the library's docs): Trunk builds this binary as a
//! worker module (index.html), and `web/whenasync-worker.js` calls its one export.

/// Serves the page's requests in this worker: see [`whenasync_python_wasm::serve`].
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn whenasync_serve_worker() {
    whenasync_python_wasm::serve();
}

fn main() {}
