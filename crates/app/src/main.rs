//! The browser entry point: installs the panic hook (console and a visible banner) and mounts
//! the playground into `<body>` — or one widget when the fragment asks for an embed (`w=`), or
//! nothing when `embed.js` loaded the wasm to mount `<whenasync-widget>` elements itself.

fn main() {
    whenasync_app::crash::install();
    if whenasync_app::embed::loaded_by_embed_js() {
        return;
    }
    let fragment = whenasync_app::url::location_fragment();
    if whenasync_app::url::widget_param(&fragment).is_some() {
        leptos::mount::mount_to_body(whenasync_app::embed::EmbedApp);
    } else {
        leptos::mount::mount_to_body(whenasync_app::App);
    }
}
