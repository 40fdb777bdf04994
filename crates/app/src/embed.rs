//! Embeds: one widget of a scenario, with minimal chrome and an "Open in the playground" link,
//! in a host page's iframe or in a `<whenasync-widget>` custom element.
//!
//! ```text
//!   iframe:  https://…/whenasync/#preset=gather-10-queries&m=compare&w=gantt
//!            main.rs sees `w=` → EmbedApp; the page posts {type: "whenasync:height", height}
//!            to window.parent whenever its height changes (ResizeObserver)
//!   element: <script type="module" src="https://…/whenasync/embed.js"></script>
//!            <whenasync-widget scenario="#preset=gather-10-queries" widget="gantt">
//!            embed.js sets window.__whenasyncEmbed (main.rs then mounts nothing), loads the
//!            wasm, and calls mount_widget() into the element's shadow root
//! ```
//!
//! The widget is chosen by the fragment's `w=` parameter (part of the link format, so an
//! embed link is a playground link plus `&w=…`): `gantt`, `compare`, `latency`, `summary` or
//! `sweep`.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::ResizeObserver;

use crate::app::BELOW;
use crate::app::{preferred_scheme, Playground};
use crate::background::BackgroundProgress;
use crate::deferred::deferred;
use crate::format;
use crate::gantt::{GanttChart, RunSource};
use crate::models::Verdict;
use crate::panels::{ErrorBanner, SummaryTable};
use crate::theme::Scheme;
use crate::url;

/// The message an iframe embed posts to its parent when its height changes.
pub const HEIGHT_MESSAGE: &str = "whenasync:height";

/// The global `embed.js` sets before loading the wasm: the main bin then mounts nothing.
pub const EMBED_FLAG: &str = "__whenasyncEmbed";

/// What an embed shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Widget {
    /// The Gantt chart of the link's model (every model's when it compares).
    Gantt,
    /// Every model's Gantt chart on one shared time axis.
    Compare,
    /// Latency histogram, CDF and latency over time, with percentiles.
    Latency,
    /// The verdict and the summary table of every model.
    Summary,
    /// A sweep of one parameter (run on demand, in Web Workers).
    Sweep,
}

impl Widget {
    /// Every widget.
    pub const ALL: [Widget; 5] = [
        Widget::Gantt,
        Widget::Compare,
        Widget::Latency,
        Widget::Summary,
        Widget::Sweep,
    ];

    /// Its name in links (`w=`) and in the custom element's `widget` attribute.
    pub fn name(self) -> &'static str {
        match self {
            Widget::Gantt => "gantt",
            Widget::Compare => "compare",
            Widget::Latency => "latency",
            Widget::Summary => "summary",
            Widget::Sweep => "sweep",
        }
    }

    /// Its label in the Embed dialog.
    pub fn label(self) -> &'static str {
        match self {
            Widget::Gantt => "Gantt chart",
            Widget::Compare => "Compare (every model)",
            Widget::Latency => "Latency",
            Widget::Summary => "Verdict and summary",
            Widget::Sweep => "Sweep",
        }
    }

    /// The widget called `name`.
    pub fn parse(name: &str) -> Option<Widget> {
        Widget::ALL.into_iter().find(|w| w.name() == name)
    }

    /// A starting height for its iframe, px (the embed then reports its real height).
    pub fn height(self) -> u32 {
        match self {
            Widget::Gantt | Widget::Summary => 360,
            Widget::Compare => 640,
            Widget::Latency => 560,
            Widget::Sweep => 620,
        }
    }
}

/// Whether the page that loaded the wasm is a host page with `embed.js`.
pub fn loaded_by_embed_js() -> bool {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &JsValue::from_str(EMBED_FLAG)).ok())
        .is_some_and(|v| v.is_truthy())
}

thread_local! {
    /// The containers of mounted custom elements, for the crash banner.
    static CONTAINERS: RefCell<Vec<web_sys::Element>> = const { RefCell::new(Vec::new()) };
}

/// The containers of the widgets mounted by [`mount_widget`] (empty if they cannot be read
/// right now, as in a panic raised while they were being changed).
pub fn containers() -> Vec<web_sys::Element> {
    CONTAINERS
        .try_with(|c| c.try_borrow().map(|c| c.clone()).unwrap_or_default())
        .unwrap_or_default()
}

/// The iframe embed: the page itself is one widget of the link in its fragment.
#[component]
pub fn EmbedApp(
    /// What [`url::open`] made of the page's link.
    opened: url::Opened,
) -> impl IntoView {
    let fragment = url::location_fragment();
    let widget = url::widget_param(&fragment).unwrap_or_default();
    let href = format!("{}#{}", url::page_url(), url::without_widget(&fragment));
    let pg = Playground::new(opened.scenario.clone(), preferred_scheme());
    crate::app::follow_system_scheme(pg.scheme);
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(root) = root.clone() {
        let _ = root.class_list().add_1("embedded");
        let root = SendWrapper::new(root);
        Effect::new(move |_| crate::app::apply_scheme_to(&root, pg.scheme.get()));
    }
    let node = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            report_height(&el);
        }
    });
    view! {
        <EmbedView
            pg
            widget
            view=opened.view
            error=opened.error
            href
            node
        />
    }
}

/// Posts the document's height to the parent page whenever it changes (only in an iframe).
fn report_height(el: &web_sys::HtmlElement) {
    let Some(win) = web_sys::window() else {
        return;
    };
    let parent = match win.parent() {
        Ok(Some(p)) if JsValue::from(&p) != JsValue::from(&win) => p,
        _ => return,
    };
    let last = std::rc::Rc::new(std::cell::Cell::new(0.0_f64));
    let post = move || {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Some(html) = doc.document_element() else {
            return;
        };
        let height = html.get_bounding_client_rect().height().ceil();
        if height <= 0.0 || height == last.get() {
            return;
        }
        last.set(height);
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"type".into(), &HEIGHT_MESSAGE.into());
        let _ = js_sys::Reflect::set(&message, &"height".into(), &height.into());
        let _ = parent.post_message(&message, "*");
    };
    post();
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |_: js_sys::Array| post());
    let Ok(observer) = ResizeObserver::new(callback.as_ref().unchecked_ref()) else {
        return;
    };
    observer.observe(el);
    let guard = SendWrapper::new((observer, callback));
    on_cleanup(move || {
        let (observer, _callback) = guard.take();
        observer.disconnect();
    });
}

/// A handle on a widget mounted by [`mount_widget`]: `unmount()` removes it.
#[wasm_bindgen]
pub struct EmbeddedWidget {
    mount: Rc<RefCell<Mount>>,
    container: web_sys::Element,
}

/// Where a widget's mounting is: its link may be inflating when the element goes.
enum Mount {
    /// The link is being opened.
    Opening,
    /// Mounted: dropping the handle unmounts it.
    Mounted {
        /// Held to be dropped.
        _handle: Box<dyn Any>,
    },
    /// Unmounted, or never to be mounted.
    Removed,
}

#[wasm_bindgen]
impl EmbeddedWidget {
    /// Removes the widget (the custom element was disconnected).
    pub fn unmount(&mut self) {
        // Outside the borrow: unmounting runs the widget's clean-ups.
        let mounted = self.mount.replace(Mount::Removed);
        drop(mounted);
        let container = self.container.clone();
        CONTAINERS.with(|c| {
            if let Ok(mut c) = c.try_borrow_mut() {
                c.retain(|e| JsValue::from(e) != JsValue::from(&container));
            }
        });
    }
}

/// Mounts one widget into `container` (inside a custom element's shadow root): called by
/// `embed.js`. `scenario` is a link or its fragment (`#preset=…&m=…`); `widget` the widget's
/// name (empty: the link's `w=`, or `gantt`); `site` the playground's URL (for "Open in the
/// playground"); `theme` is `light`, `dark` or empty (the system's).
#[wasm_bindgen]
pub fn mount_widget(
    container: web_sys::HtmlElement,
    scenario: &str,
    widget: &str,
    site: &str,
    theme: &str,
) -> EmbeddedWidget {
    crate::crash::install();
    let fragment = match scenario.split_once('#') {
        Some((_, f)) => f.to_owned(),
        None => scenario.to_owned(),
    };
    let widget = if widget.trim().is_empty() {
        url::widget_param(&fragment).unwrap_or_default()
    } else {
        widget.trim().to_owned()
    };
    let site = site.split('#').next().unwrap_or_default().to_owned();
    let href = format!("{site}#{}", url::without_widget(&fragment));
    let scheme = match theme {
        "dark" => Some(Scheme::Dark),
        "light" => Some(Scheme::Light),
        _ => None,
    };
    CONTAINERS.with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            c.push(container.clone().into());
        }
    });
    let _ = container.class_list().add_1("embed-root");
    let target = SendWrapper::new(container.clone());
    let mount = Rc::new(RefCell::new(Mount::Opening));
    let slot = Rc::clone(&mount);
    let parent = container.clone();
    // Opening an `s=` link awaits the browser's inflating. (Not Leptos's spawn_local: its
    // executor starts with the first mount, and this may be the first.)
    wasm_bindgen_futures::spawn_local(async move {
        let opened = url::open(&fragment).await;
        if !matches!(*slot.borrow(), Mount::Opening) {
            return;
        }
        let handle = mount_opened(parent, target, opened, scheme, widget, href);
        slot.replace(Mount::Mounted { _handle: handle });
    });
    EmbeddedWidget {
        mount,
        container: container.into(),
    }
}

/// Mounts the widget `widget` of `opened` into `container`, which it themes.
fn mount_opened(
    container: web_sys::HtmlElement,
    target: SendWrapper<web_sys::HtmlElement>,
    opened: url::Opened,
    scheme: Option<Scheme>,
    widget: String,
    href: String,
) -> Box<dyn Any> {
    let handle = leptos::mount::mount_to(container, move || {
        let pg = Playground::new(
            opened.scenario.clone(),
            scheme.unwrap_or_else(preferred_scheme),
        );
        if scheme.is_none() {
            crate::app::follow_system_scheme(pg.scheme);
        }
        Effect::new(move |_| crate::app::apply_scheme_to(&target, pg.scheme.get()));
        view! {
            <EmbedView
                pg
                widget
                view=opened.view
                error=opened.error
                href
                node=NodeRef::new()
            />
        }
        .into_any()
    });
    Box::new(handle)
}

/// One widget of `pg`, with its title, the link back to the playground, and any message.
#[component]
fn EmbedView(
    pg: Playground,
    widget: String,
    view: whenasync_link::View,
    error: Option<String>,
    href: String,
    node: NodeRef<leptos::html::Div>,
) -> impl IntoView {
    provide_context(pg);
    let parsed = Widget::parse(&widget);
    let chosen = parsed.unwrap_or(Widget::Gantt);
    url::apply_view(pg, &view, false);
    // These show every model, whatever model the link focused.
    if matches!(chosen, Widget::Compare | Widget::Summary) && pg.focus.get_untracked().is_some() {
        pg.focus.set(None);
    }
    // Heavy scenarios go to the workers, as in the playground.
    Effect::new(move |_| {
        pg.scenario
            .with(|s| pg.background.ensure(s.as_ref(), pg.scenario))
    });
    let unknown = (parsed.is_none() && !widget.is_empty()).then(|| {
        let name: String = widget.chars().take(40).collect();
        format!(
            "the embed asks for a widget that does not exist: {name:?}; showing the Gantt chart"
        )
    });
    let title = move || {
        pg.scenario
            .with(|s| s.as_ref().map(|s| s.title.clone()).unwrap_or_default())
    };
    let body = match chosen {
        Widget::Gantt => view! { <EmbedGantts pg /> }.into_any(),
        Widget::Compare => view! { <EmbedGantts pg /> }.into_any(),
        Widget::Latency => deferred(&BELOW, |below| (below.latency)()).into_any(),
        Widget::Summary => view! {
            <Verdict />
            <SummaryTable />
        }
        .into_any(),
        Widget::Sweep => deferred(&BELOW, |below| (below.sweep)()).into_any(),
    };
    view! {
        <div class="embed" node_ref=node data-testid="embed" data-widget=chosen.name()>
            <header class="embed-head">
                <span class="embed-brand">
                    <span class="logo" aria-hidden="true"></span>
                    "whenasync"
                </span>
                <span class="embed-title" data-testid="embed-title">{title}</span>
                <a
                    class="embed-open"
                    data-testid="embed-open"
                    href=href
                    target="_blank"
                    rel="noopener"
                >
                    "Open in the playground ↗"
                </a>
            </header>
            {error
                .map(|e| {
                    view! {
                        <div class="banner error link-banner" role="alert" data-testid="link-banner">
                            <strong>"This link could not be opened: "</strong>
                            <span data-testid="link-error">{e}</span>
                            ". Showing the default scenario instead."
                        </div>
                    }
                })}
            {unknown
                .map(|e| {
                    view! {
                        <div class="banner error" role="alert" data-testid="widget-banner">
                            {e}
                        </div>
                    }
                })}
            <ErrorBanner />
            <BackgroundProgress />
            {body}
        </div>
    }
}

/// The Gantt charts of the runs on screen (every model when comparing), on one time axis.
#[component]
fn EmbedGantts(pg: Playground) -> impl IntoView {
    let end = Signal::derive(move || pg.axis_end());
    let rows = Signal::from(pg.view);
    let scheme = Signal::from(pg.scheme);
    let shown = move || {
        let focus = pg.focus.get();
        pg.runs.with(|runs| match runs {
            Ok(runs) => runs
                .iter()
                .enumerate()
                .filter(|(i, _)| focus.is_none_or(|f| f == *i))
                .map(|(i, r)| (i, r.model.clone()))
                .collect::<Vec<_>>(),
            Err(_) => Vec::new(),
        })
    };
    view! {
        <div class="embed-runs" data-testid="runs">
            <For
                each=shown
                key=|(i, model)| (*i, model.clone())
                children=move |(index, model)| {
                    let figures = move || {
                        pg.runs
                            .with(|r| {
                                r.as_ref()
                                    .ok()
                                    .and_then(|r| r.get(index))
                                    .map(|r| {
                                        format!(
                                            "makespan {} · p99 {}",
                                            format::duration(r.summary.makespan),
                                            format::duration(r.summary.latency.p99),
                                        )
                                    })
                            })
                            .unwrap_or_default()
                    };
                    view! {
                        <figure class="embed-run" data-testid="run-panel" data-model=model.clone()>
                            <figcaption>
                                <strong>{model.clone()}</strong>
                                <span class="muted">{figures}</span>
                            </figcaption>
                            <GanttChart
                                run=RunSource::Playground(pg.runs, index)
                                end
                                view=rows
                                scheme
                            />
                        </figure>
                    }
                }
            />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widgets_have_names_that_parse_back() {
        for w in Widget::ALL {
            assert_eq!(Widget::parse(w.name()), Some(w));
            assert!(w.height() >= 300);
        }
        assert_eq!(Widget::parse("<img>"), None);
    }
}
