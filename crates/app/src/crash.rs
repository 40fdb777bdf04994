//! A panic that slips through anyway leaves a visible message, not a dead page: the panic
//! hook logs to the console (`console_error_panic_hook`) and writes a banner into the DOM with
//! plain DOM calls (no Leptos: the reactive system may be what broke). The message is set as
//! text, never as HTML.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The banner's element id (one banner per page, whatever the number of panics).
pub const BANNER_ID: &str = "whenasync-crash";

/// Installs the panic hook. Idempotent.
pub fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            console_error_panic_hook::hook(info);
            show(&message_of(info));
        }));
    });
}

/// The panic's message, and where it happened when the build kept that: the page's build
/// drops panic locations for size (`scripts/page-build-env.sh`), and reports them as
/// `<redacted>`.
fn message_of(info: &std::panic::PanicHookInfo) -> String {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message");
    match info.location() {
        Some(at) if at.file() != "<redacted>" => {
            format!("{message} (at {}:{}:{})", at.file(), at.line(), at.column())
        }
        _ => message.to_string(),
    }
}

/// Shows `message` in a banner: on top of the page, or, when the page is a host that loaded
/// `embed.js`, inside each mounted widget.
pub fn show(message: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let message: String = message.chars().take(600).collect();
    let embedded = crate::embed::loaded_by_embed_js();
    if embedded {
        for container in crate::embed::containers() {
            if container
                .query_selector(".crash-banner")
                .ok()
                .flatten()
                .is_none()
            {
                if let Some(b) = banner(&doc, &message, false) {
                    let _ = container.prepend_with_node_1(&b);
                }
            }
        }
        return;
    }
    // A panic while the page starts: the banner says so, not a loading bar.
    crate::boot::dismiss();
    if doc.get_element_by_id(BANNER_ID).is_some() {
        return;
    }
    let (Some(body), Some(b)) = (doc.body(), banner(&doc, &message, true)) else {
        return;
    };
    b.set_id(BANNER_ID);
    let _ = body.prepend_with_node_1(&b);
}

fn banner(doc: &web_sys::Document, message: &str, fixed: bool) -> Option<web_sys::Element> {
    let div = doc.create_element("div").ok()?;
    let _ = div.set_attribute("role", "alert");
    let _ = div.set_attribute("class", "crash-banner");
    let _ = div.set_attribute("data-testid", "crash-banner");
    // Inline styles: the stylesheet's variables may not be there (an embed, a failed load).
    let position = if fixed {
        "position:fixed;top:0;left:0;right:0;z-index:2147483647;"
    } else {
        "position:relative;"
    };
    let _ = div.set_attribute(
        "style",
        &format!(
            "{position}box-sizing:border-box;padding:12px 16px;background:#fff4ec;color:#4a1a00;\
             border:2px solid #d55e00;font:14px/1.45 system-ui,sans-serif;"
        ),
    );
    let strong = doc.create_element("strong").ok()?;
    strong.set_text_content(Some("whenasync stopped because of a bug. "));
    let text = doc.create_element("span").ok()?;
    text.set_text_content(Some(
        "Reload the page to start again; the address bar still holds your scenario. ",
    ));
    let detail = doc.create_element("code").ok()?;
    let _ = detail.set_attribute("data-testid", "crash-message");
    let _ = detail.set_attribute(
        "style",
        "display:block;margin-top:6px;white-space:pre-wrap;",
    );
    detail.set_text_content(Some(message));
    let reload = doc.create_element("button").ok()?;
    let _ = reload.set_attribute("type", "button");
    let _ = reload.set_attribute("style", "margin-left:8px;font:inherit;");
    reload.set_text_content(Some("Reload"));
    let on_click = Closure::<dyn FnMut()>::new(|| {
        let _ = web_sys::window().map(|w| w.location().reload());
    });
    let _ = reload.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    on_click.forget();
    let _ = div.append_with_node_4(&strong, &text, &reload, &detail);
    Some(div)
}

/// Panics on purpose, so the end-to-end tests can prove the banner appears:
/// `window.wasmBindings.whenasync_crash_test()`.
#[wasm_bindgen]
pub fn whenasync_crash_test() {
    panic!("a deliberate panic (whenasync_crash_test)");
}
