//! Sharing: "Share" copies the link to what is on screen and says so; "Embed" opens a dialog
//! with the snippets that put one widget of it in another page (an iframe that sizes itself,
//! or the `<whenasync-widget>` custom element), each with a copy button.
//!
//! Copying uses `navigator.clipboard`; where that is missing or refused (an insecure page, a
//! denied permission) the text is shown selected in a field, for the user to copy.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::app::Playground;
use crate::deferred::deferred;
use crate::embed::{Widget, HEIGHT_MESSAGE};
use crate::url;

/// How long "Link copied" stays, ms.
const CONFIRM_MS: u64 = 4000;

/// Copies `text` to the clipboard; false if the browser has no clipboard or refused.
pub async fn copy_text(text: &str) -> bool {
    let Some(win) = web_sys::window() else {
        return false;
    };
    let navigator = win.navigator();
    let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into()).unwrap_or_default();
    if clipboard.is_undefined() || clipboard.is_null() {
        return false;
    }
    let write = js_sys::Reflect::get(&clipboard, &"writeText".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let Some(write) = write else {
        return false;
    };
    let Ok(promise) = write.call1(&clipboard, &JsValue::from_str(text)) else {
        return false;
    };
    let Ok(promise) = promise.dyn_into::<js_sys::Promise>() else {
        return false;
    };
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// Escapes text for an HTML attribute value or element content.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The origin of `url` (`https://host:port`), or "" if it has none.
fn origin_of(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return String::new();
    };
    let rest = &url[scheme_end + 3..];
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    format!("{}{}", &url[..scheme_end + 3], &rest[..host_end])
}

/// The iframe snippet: the embed of `fragment` (which carries `w=`) at `page`, with the few
/// lines of script that size the iframe to the height it reports.
pub fn iframe_snippet(page: &str, fragment: &str, title: &str, height: u32) -> String {
    let origin = origin_of(page);
    format!(
        "<iframe src=\"{src}\" title=\"{title}\" width=\"100%\" height=\"{height}\" \
         style=\"width:100%;border:0\" loading=\"lazy\"></iframe>\n\
         <script>\n\
         // Sizes every whenasync iframe on the page to the height it reports.\n\
         addEventListener(\"message\", (e) => {{\n  \
           if (e.origin !== \"{origin}\" || e.data?.type !== \"{HEIGHT_MESSAGE}\") return;\n  \
           for (const f of document.querySelectorAll(\"iframe\"))\n    \
             if (f.contentWindow === e.source) f.style.height = e.data.height + \"px\";\n\
         }});\n\
         </script>",
        src = escape_html(&format!("{page}#{fragment}")),
        title = escape_html(&format!("whenasync: {title}")),
    )
}

/// The custom element snippet: one script tag from the built site, and the element.
pub fn element_snippet(page: &str, fragment: &str, widget: Widget) -> String {
    let site = page.split(['?', '#']).next().unwrap_or_default();
    let dir = match site.rfind('/') {
        Some(i) => &site[..=i],
        None => site,
    };
    format!(
        "<script type=\"module\" src=\"{}\"></script>\n\
         <whenasync-widget scenario=\"{}\" widget=\"{}\"></whenasync-widget>",
        escape_html(&format!("{dir}embed.js")),
        escape_html(&format!("#{}", url::without_widget(fragment))),
        widget.name(),
    )
}

/// "Share" and "Embed", for the top bar.
#[component]
pub fn ShareBar() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let links = expect_context::<url::LinkState>();
    let status = RwSignal::new(String::new());
    let fallback = RwSignal::new(None::<String>);
    let clear = StoredValue::new_local(None::<TimeoutHandle>);
    let confirm = move |text: &str| {
        status.set(text.to_owned());
        if let Some(h) = clear.try_update_value(Option::take).flatten() {
            h.clear();
        }
        let handle = set_timeout_with_handle(
            move || status.set(String::new()),
            std::time::Duration::from_millis(CONFIRM_MS),
        )
        .ok();
        clear.set_value(handle);
    };
    let share = move |_| {
        let Some(link) = url::share_url(pg, links) else {
            return;
        };
        leptos::task::spawn_local(async move {
            if copy_text(&link).await {
                fallback.set(None);
                confirm("Link copied");
            } else {
                fallback.set(Some(link));
                confirm("Copy the link below");
            }
        });
    };
    let fallback_ref = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if fallback.get().is_some() {
            if let Some(input) = fallback_ref.get() {
                // Once its value is in (setting a value moves the caret to its end).
                set_timeout(
                    move || {
                        let _ = input.focus();
                        input.select();
                    },
                    std::time::Duration::ZERO,
                );
            }
        }
    });
    let dialog_open = RwSignal::new(false);
    let dialog_asked =
        Memo::new(move |was: Option<&bool>| was.copied().unwrap_or(false) || dialog_open.get());
    view! {
        <div class="share-bar">
            <button type="button" class="secondary" data-testid="share" on:click=share>
                "Share"
            </button>
            <button
                type="button"
                class="secondary"
                data-testid="embed-open-dialog"
                aria-haspopup="dialog"
                on:click=move |_| dialog_open.set(true)
                on:pointerenter=|_| EMBED_DIALOG.prefetch()
                on:focus=|_| EMBED_DIALOG.prefetch()
            >
                "Embed"
            </button>
            <span class="share-status" role="status" aria-live="polite" data-testid="share-status">
                {move || status.get()}
            </span>
            {move || {
                fallback
                    .get()
                    .map(|link| {
                        view! {
                            <label class="share-fallback">
                                <span class="visually-hidden">"Link to this scenario"</span>
                                <input
                                    type="text"
                                    readonly
                                    node_ref=fallback_ref
                                    data-testid="share-fallback"
                                    prop:value=link
                                    on:focus=move |ev| {
                                        if let Some(i) = ev
                                            .target()
                                            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                                        {
                                            i.select();
                                        }
                                    }
                                />
                            </label>
                        }
                    })
            }}
            // Built when first opened, from a chunk of its own (crate::deferred).
            {move || {
                dialog_asked
                    .get()
                    .then(|| deferred(&EMBED_DIALOG, move |d| (d.build)(dialog_open)))
            }}
        </div>
    }
}

/// What builds the Embed dialog.
#[derive(Clone, Copy)]
pub struct EmbedDialogCode {
    build: fn(RwSignal<bool>) -> AnyView,
}

crate::chunk!(
    /// The Embed dialog (crate::deferred).
    static EMBED_DIALOG: EmbedDialogCode = embed_dialog("the Embed dialog") {
        EmbedDialogCode {
            build: |open| view! { <EmbedDialog open /> }.into_any(),
        }
    }
);

/// The Embed dialog: pick a widget, copy the iframe snippet or the custom element snippet.
#[component]
fn EmbedDialog(open: RwSignal<bool>) -> impl IntoView {
    let pg = expect_context::<Playground>();
    let links = expect_context::<url::LinkState>();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let widget = RwSignal::new(Widget::Gantt);
    let copied = RwSignal::new(String::new());
    Effect::new(move |_| {
        let Some(d) = dialog.get() else {
            return;
        };
        if open.get() {
            if !d.open() {
                let _ = d.show_modal();
            }
        } else if d.open() {
            d.close();
        }
    });
    let fragment = move || url::fragment_of(pg, links, Some(widget.get().name().to_owned()));
    let title = move || {
        pg.scenario
            .with(|s| s.as_ref().map(|s| s.title.clone()).unwrap_or_default())
    };
    let iframe = move || {
        if !open.get() {
            return String::new();
        }
        fragment()
            .map(|f| iframe_snippet(&url::page_url(), &f, &title(), widget.get().height()))
            .unwrap_or_default()
    };
    let element = move || {
        if !open.get() {
            return String::new();
        }
        fragment()
            .map(|f| element_snippet(&url::page_url(), &f, widget.get()))
            .unwrap_or_default()
    };
    let copy = move |what: &'static str, text: String| {
        leptos::task::spawn_local(async move {
            copied.set(if copy_text(&text).await {
                format!("{what} copied")
            } else {
                "Select the text and copy it (the browser refused the clipboard)".to_owned()
            });
        });
    };
    view! {
        <dialog
            node_ref=dialog
            class="embed-dialog"
            data-testid="embed-dialog"
            aria-labelledby="embed-dialog-title"
            on:close=move |_| {
                open.set(false);
                copied.set(String::new());
            }
        >
            <header class="card-head">
                <h2 id="embed-dialog-title">"Embed this scenario"</h2>
                <button
                    type="button"
                    class="link"
                    data-testid="embed-close"
                    on:click=move |_| open.set(false)
                >
                    "Close"
                </button>
            </header>
            <p class="hint">
                "One widget of the scenario on screen, with the view you chose, in a blog post or \
                 docs page. It runs the simulator in the reader's browser; nothing is uploaded."
            </p>
            <div class="segmented" role="radiogroup" aria-label="Widget" data-testid="embed-widgets">
                {Widget::ALL
                    .into_iter()
                    .map(|w| {
                        view! {
                            <button
                                type="button"
                                role="radio"
                                data-widget=w.name()
                                aria-checked=move || (widget.get() == w).to_string()
                                aria-pressed=move || (widget.get() == w).to_string()
                                on:click=move |_| widget.set(w)
                            >
                                {w.label()}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <h3>"iframe (sizes itself to its content)"</h3>
            <textarea
                readonly
                rows="9"
                class="snippet"
                data-testid="embed-iframe-snippet"
                aria-label="iframe snippet"
                prop:value=iframe
            ></textarea>
            <button
                type="button"
                class="secondary"
                data-testid="embed-copy-iframe"
                on:click=move |_| copy("iframe snippet", iframe())
            >
                "Copy iframe snippet"
            </button>
            <h3>"Custom element (for hosts that do not allow iframes)"</h3>
            <textarea
                readonly
                rows="3"
                class="snippet"
                data-testid="embed-element-snippet"
                aria-label="custom element snippet"
                prop:value=element
            ></textarea>
            <button
                type="button"
                class="secondary"
                data-testid="embed-copy-element"
                on:click=move |_| copy("Custom element snippet", element())
            >
                "Copy custom element snippet"
            </button>
            <p class="share-status" role="status" aria-live="polite" data-testid="embed-status">
                {move || copied.get()}
            </p>
        </dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_escape_what_came_from_a_link() {
        let s = iframe_snippet(
            "https://example.org/whenasync/",
            "preset=gather-10-queries&m=compare&w=gantt",
            "<img src=x onerror=alert(1)> \"quoted\"",
            360,
        );
        assert!(s.contains(
            "src=\"https://example.org/whenasync/#preset=gather-10-queries&amp;m=compare&amp;w=gantt\""
        ));
        assert!(s.contains("&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot;"));
        assert!(s.contains("e.origin !== \"https://example.org\""));
        assert!(!s.contains("<img"));
        let e = element_snippet(
            "https://example.org/whenasync/index.html",
            "preset=gather-10-queries&m=1&w=latency",
            Widget::Latency,
        );
        assert_eq!(
            e,
            "<script type=\"module\" src=\"https://example.org/whenasync/embed.js\"></script>\n\
             <whenasync-widget scenario=\"#preset=gather-10-queries&amp;m=1\" widget=\"latency\"></whenasync-widget>"
        );
    }

    #[test]
    fn origins_are_read_from_urls() {
        assert_eq!(
            origin_of("http://127.0.0.1:8080/x/#a"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(origin_of("https://h.io"), "https://h.io");
        assert_eq!(origin_of("nonsense"), "");
    }
}
