//! The loading screen: index.html's `#boot`, the header and a progress bar drawn by HTML and
//! CSS alone while the page's wasm downloads (`web/boot.js` fills the bar). It leaves when the
//! playground or an embed mounts, and when a panic's banner takes its place.

/// The loading screen's element id, in index.html.
pub const BOOT_ID: &str = "boot";

/// Removes the loading screen, if the page has one (a host page of `embed.js` has none).
pub fn dismiss() {
    let screen = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(BOOT_ID));
    if let Some(screen) = screen {
        screen.remove();
    }
}
