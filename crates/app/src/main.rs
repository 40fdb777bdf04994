//! The browser entry point: installs the panic hook (console and a visible banner) and mounts
//! the playground into `<body>` — or one widget when the fragment asks for an embed (`w=`), or
//! nothing when `embed.js` loaded the wasm to mount `<whenasync-widget>` elements itself, or
//! in a simulation worker.

fn main() {
    whenasync_app::crash::install();
    // A simulation worker instantiates this same module (web/whenasync-worker.js): no window,
    // nothing to mount; the worker then calls `whenasync_serve_worker`.
    if web_sys::window().is_none() {
        return;
    }
    if whenasync_app::embed::loaded_by_embed_js() {
        return;
    }
    let fragment = whenasync_app::url::location_fragment();
    // Opening an `s=` link awaits the browser's inflating; any other is ready at once. (Not
    // Leptos's spawn_local: its executor starts with the first mount.)
    wasm_bindgen_futures::spawn_local(async move {
        let embed = whenasync_app::url::widget_param(&fragment).is_some();
        let opened = whenasync_app::url::open(&fragment).await;
        whenasync_app::boot::dismiss();
        if embed {
            leptos::mount::mount_to_body(move || {
                leptos::view! { <whenasync_app::embed::EmbedApp opened /> }
            });
        } else {
            leptos::mount::mount_to_body(move || leptos::view! { <whenasync_app::App opened /> });
        }
    });
}
