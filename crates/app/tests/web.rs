//! Browser tests (wasm-bindgen-test in headless Chromium): mount components into a real DOM
//! and check what they draw, pixel by pixel.
#![cfg(target_arch = "wasm32")]

use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement};
use whenasync_app::axis::Window;
use whenasync_app::chart::View;
use whenasync_app::gantt::{GanttChart, RunSource};
use whenasync_app::latency::LatencyPanel;
use whenasync_app::panels::{ErrorBanner, SummaryTable};
use whenasync_app::theme::{self, Scheme};
use whenasync_app::workers;
use whenasync_app::{app, App, Playground};
use whenasync_sim::{presets, simulate, Kind};
use whenasync_worker::{Reply, Request};

wasm_bindgen_test_configure!(run_in_browser);

/// A 1000 px wide container in the test page, styled like the real page's charts.
fn container() -> HtmlElement {
    let doc = document();
    let style = doc.create_element("style").expect("a style element");
    style.set_text_content(Some(
        ".gantt { position: relative } .gantt canvas { display: block; width: 100% }",
    ));
    doc.head()
        .expect("a head")
        .append_child(&style)
        .expect("style appended");
    let el: HtmlElement = doc
        .create_element("section")
        .expect("a section")
        .unchecked_into();
    el.style()
        .set_property("width", "1000px")
        .expect("width set");
    doc.body()
        .expect("a body")
        .append_child(&el)
        .expect("section appended");
    el
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("setTimeout");
    });
    JsFuture::from(promise).await.expect("timer");
}

/// The canvases under `root`, once every one of them has been drawn (or after 5 s).
async fn drawn_canvases(root: &HtmlElement, expected: u32) -> Vec<HtmlCanvasElement> {
    for _ in 0..100 {
        leptos::task::tick().await;
        let list = root
            .query_selector_all("[data-testid=gantt-canvas]")
            .expect("a selector");
        let canvases: Vec<HtmlCanvasElement> = (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into().ok())
            .collect();
        if canvases.len() == expected as usize
            && canvases.iter().all(|c| c.has_attribute("data-drawn"))
        {
            return canvases;
        }
        sleep(50).await;
    }
    panic!("the charts were not drawn within 5 s");
}

/// How many pixels of `canvas` are exactly `hex` (`#RRGGBB`).
fn pixels_of(canvas: &HtmlCanvasElement, hex: &str) -> usize {
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .expect("get_context")
        .expect("a 2d context")
        .unchecked_into();
    let data = ctx
        .get_image_data(
            0.0,
            0.0,
            f64::from(canvas.width()),
            f64::from(canvas.height()),
        )
        .expect("image data")
        .data();
    let c = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).expect("a hex colour");
    let (r, g, b) = (c(1), c(3), c(5));
    data.chunks_exact(4)
        .filter(|p| p[0] == r && p[1] == g && p[2] == b && p[3] == 255)
        .count()
}

/// How many opaque pixels of `canvas` are within `tolerance` (sum of channel differences) of
/// `hex`.
fn pixels_near(canvas: &HtmlCanvasElement, hex: &str, tolerance: i32) -> usize {
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .expect("get_context")
        .expect("a 2d context")
        .unchecked_into();
    let data = ctx
        .get_image_data(
            0.0,
            0.0,
            f64::from(canvas.width()),
            f64::from(canvas.height()),
        )
        .expect("image data")
        .data();
    let c = |i: usize| i32::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("a hex colour"));
    let (r, g, b) = (c(1), c(3), c(5));
    data.chunks_exact(4)
        .filter(|p| {
            p[3] > 0
                && (i32::from(p[0]) - r).abs()
                    + (i32::from(p[1]) - g).abs()
                    + (i32::from(p[2]) - b).abs()
                    < tolerance
        })
        .count()
}

#[wasm_bindgen_test]
async fn gantt_chart_draws_the_run_in_theme_colours() {
    let scenario = presets::get("gather-10-queries")
        .expect("the landing preset exists")
        .expect("the landing preset parses");
    let run = simulate(&scenario).expect("it simulates").remove(0);
    let end = run.summary.makespan;
    let root = container();
    let _mounted = mount_to(root.clone(), move || {
        let run = RunSource::Stored(StoredValue::new(run));
        view! { <GanttChart run end view=View::Workers scheme=Scheme::Light /> }
    });
    let canvases = drawn_canvases(&root, 1).await;
    let canvas = &canvases[0];
    // The sync run's one thread waits on I/O nearly all the time: a long green bar.
    let io = pixels_of(canvas, theme::kind_color(Kind::IoWait, Scheme::Light));
    let running = pixels_of(canvas, theme::kind_color(Kind::Running, Scheme::Light));
    assert!(io > 5_000, "only {io} I/O-wait pixels");
    assert!(running > 0, "no running pixels");
    assert_eq!(canvas.get_attribute("data-model").as_deref(), Some("sync"));
}

#[wasm_bindgen_test]
async fn app_shows_every_model_with_summary_and_theme() {
    let root = container();
    let opened = whenasync_app::url::open("").await;
    let _mounted = mount_to(root.clone(), move || view! { <App opened /> });
    let canvases = drawn_canvases(&root, 4).await;
    for canvas in &canvases {
        let scheme = app::preferred_scheme();
        let running = pixels_of(canvas, theme::kind_color(Kind::Running, scheme));
        assert!(
            running > 0,
            "no running pixels in {:?}",
            canvas.get_attribute("data-model")
        );
    }

    let summary = root
        .query_selector("[data-testid=summary]")
        .expect("a selector")
        .expect("a summary")
        .text_content()
        .unwrap_or_default();
    assert!(summary.contains("Makespan"), "{summary}");
    assert!(
        summary.contains(" s") && summary.contains(" ms"),
        "{summary}"
    );

    // The page chrome reads the same palette through CSS custom properties.
    let html: HtmlElement = document()
        .document_element()
        .expect("an html element")
        .unchecked_into();
    let scheme = app::preferred_scheme();
    let css = html
        .style()
        .get_property_value("--kind-io_wait")
        .expect("a property");
    assert!(
        css.eq_ignore_ascii_case(theme::kind_color(Kind::IoWait, scheme)),
        "{css}"
    );
}

#[wasm_bindgen_test]
async fn a_scenario_that_cannot_run_shows_a_banner_not_a_blank_page() {
    let root = container();
    let _mounted = mount_to(root.clone(), || {
        provide_context(Playground::new(
            Err("the preset \"x\" is missing from this build".to_owned()),
            Scheme::Light,
        ));
        view! {
            <ErrorBanner />
            <SummaryTable />
        }
    });
    leptos::task::tick().await;
    let banner = root
        .query_selector("[data-testid=error-banner]")
        .expect("a selector")
        .expect("an error banner");
    let text = banner.text_content().unwrap_or_default();
    assert!(
        text.contains("cannot run") && text.contains("missing"),
        "{text}"
    );
    let rows = root
        .query_selector_all("[data-testid=summary-row]")
        .expect("a selector");
    assert_eq!(rows.length(), 0);
}

#[wasm_bindgen_test]
async fn the_shared_zoom_window_redraws_the_chart_with_new_ticks() {
    let root = container();
    let scenario = presets::get("gather-10-queries")
        .expect("the landing preset exists")
        .expect("the landing preset parses");
    let cell = std::rc::Rc::new(std::cell::Cell::new(None::<Playground>));
    let slot = cell.clone();
    let _mounted = mount_to(root.clone(), move || {
        let pg = Playground::new(Ok(scenario), Scheme::Light);
        slot.set(Some(pg));
        provide_context(pg);
        let end = Signal::derive(move || pg.axis_end());
        view! {
            <GanttChart
                run=RunSource::Playground(pg.runs, 1)
                end
                view=View::Workers
                scheme=Scheme::Light
            />
        }
    });
    let canvas = drawn_canvases(&root, 1).await.remove(0);
    let pg = cell.get().expect("mounted");
    let ticks = canvas.get_attribute("data-ticks").unwrap_or_default();
    let end = pg.axis_end();
    pg.chart.show(
        Window {
            start: 0,
            end: end / 10,
        },
        end,
    );
    for _ in 0..40 {
        leptos::task::tick().await;
        if canvas.get_attribute("data-window") == Some(format!("0,{}", end / 10)) {
            break;
        }
        sleep(25).await;
    }
    assert_eq!(
        canvas.get_attribute("data-window"),
        Some(format!("0,{}", end / 10))
    );
    let zoomed = canvas.get_attribute("data-ticks").unwrap_or_default();
    assert_ne!(zoomed, ticks);
    assert!(zoomed.contains("ms"), "{zoomed}");
    // The async run's loop is busy in short bursts: still painted when zoomed in.
    assert!(pixels_of(&canvas, theme::kind_color(Kind::Running, Scheme::Light)) > 0);
}

#[wasm_bindgen_test]
async fn latency_plots_draw_each_model_in_its_series_colour() {
    let root = container();
    let _mounted = mount_to(root.clone(), || {
        let scenario = presets::get("gather-10-queries")
            .expect("the landing preset exists")
            .expect("the landing preset parses");
        provide_context(Playground::new(Ok(scenario), Scheme::Light));
        view! { <LatencyPanel /> }
    });
    for _ in 0..100 {
        leptos::task::tick().await;
        let drawn = root
            .query_selector_all("canvas[data-drawn]")
            .map(|l| l.length())
            .unwrap_or(0);
        if drawn == 3 {
            break;
        }
        sleep(50).await;
    }
    for id in ["latency-histogram", "latency-cdf", "latency-scatter"] {
        let canvas: HtmlCanvasElement = root
            .query_selector(&format!("[data-testid={id}]"))
            .expect("a selector")
            .expect("a plot")
            .unchecked_into();
        assert!(canvas.has_attribute("data-drawn"), "{id} not drawn");
        // Model 0 (sync) in its own colour, which is no segment kind's colour (the scatter
        // blends its dots a little: near the colour is enough).
        let sync = pixels_near(&canvas, theme::series_color(0, Scheme::Light), 60);
        assert!(sync > 10, "{id}: {sync} pixels of sync's colour");
    }
}

#[wasm_bindgen_test]
async fn a_missing_worker_script_fails_the_job_with_a_message() {
    // The test page has no whenasync-worker.js: the worker cannot load, and the job
    // must hear so (onerror), not wait forever.
    let heard = std::rc::Rc::new(std::cell::RefCell::new(None::<Reply>));
    let sink = heard.clone();
    let group = workers::new_group();
    workers::submit(
        group,
        Request::Figures {
            job: 0,
            scenario: "{}".into(),
            model: 0,
        },
        move |reply, _| {
            *sink.borrow_mut() = Some(reply);
        },
    );
    for _ in 0..100 {
        if heard.borrow().is_some() {
            break;
        }
        sleep(50).await;
    }
    let reply = heard.borrow_mut().take();
    match reply {
        Some(Reply::Failed { message, .. }) => {
            assert!(message.contains("worker"), "{message}")
        }
        other => panic!("expected a failure, heard {other:?}"),
    }
}

/// The page deflates its links with the browser's `CompressionStream`: what it writes is raw
/// deflate that the link crate (and so every build of whenasync) inflates, and the link opens
/// the scenario it was made from.
#[wasm_bindgen_test]
async fn links_deflated_by_the_browser_open_their_scenario() {
    use whenasync_app::url::deflate::deflate_raw;
    use whenasync_link::{self as link, SourceParam};

    let mut edited = presets::get("cpu-in-async-handler")
        .expect("the preset exists")
        .expect("it parses");
    edited.seed += 1;
    let view = link::View {
        model: Some(1),
        ..Default::default()
    };
    let source = link::link_for(&edited, view.clone()).source;
    let SourceParam::Deflate(json) = link::source_param(&source) else {
        panic!("an edited preset is carried in the link");
    };
    let deflated = deflate_raw(json.as_bytes()).await;
    // Compressed, not stored, and about as well as miniz_oxide's best (the links the page
    // wrote before): links stay as short.
    let miniz = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9).len();
    assert!(
        deflated.len() * 10 <= miniz * 11,
        "{} bytes of JSON deflated to {} bytes; miniz_oxide at level 9: {miniz}",
        json.len(),
        deflated.len()
    );
    assert_eq!(
        miniz_oxide::inflate::decompress_to_vec(&deflated).expect("inflates"),
        json.as_bytes()
    );
    let fragment = link::fragment(&link::scenario_param(&deflated), &view);
    let opened = link::decode(&fragment).expect("the link decodes");
    assert_eq!(opened.view, view);
    assert_eq!(link::scenario_of(&opened).expect("valid"), edited);
}

/// The page inflates a link's scenario with the browser's `DecompressionStream`, a stranger's
/// input: what miniz_oxide deflated comes back whole, a bomb stops at the limit, damaged or
/// truncated bytes are errors.
#[wasm_bindgen_test]
async fn links_are_inflated_by_the_browser_within_the_limit() {
    use whenasync_app::url::deflate::{inflate_raw, stored};
    use whenasync_link::LinkError;

    let text: Vec<u8> = (0..20_000).map(|i| b"whenasync "[i % 10]).collect();
    let deflated = miniz_oxide::deflate::compress_to_vec(&text, 9);
    assert_eq!(inflate_raw(&deflated, text.len()).await, Ok(text.clone()));
    assert_eq!(
        inflate_raw(&stored(&text), text.len()).await,
        Ok(text.clone())
    );
    assert_eq!(
        inflate_raw(&deflated, text.len() - 1).await,
        Err(LinkError::TooLarge)
    );
    // 64 MiB of zeros in about 64 KB: stopped at the link limit, not inflated whole.
    let bomb = miniz_oxide::deflate::compress_to_vec(&vec![0; 64 << 20], 9);
    assert_eq!(
        inflate_raw(&bomb, whenasync_link::MAX_INFLATED_BYTES).await,
        Err(LinkError::TooLarge)
    );
    let damaged: Vec<u8> = deflated.iter().map(|b| b ^ 0x5a).collect();
    assert_eq!(
        inflate_raw(&damaged, text.len()).await,
        Err(LinkError::BadCompression)
    );
    assert_eq!(
        inflate_raw(&deflated[..deflated.len() / 2], text.len()).await,
        Err(LinkError::BadCompression)
    );
}

/// A browser without the compression streams: links are written in stored blocks, which
/// still open anywhere, and an `s=` link says why it cannot open rather than that it is
/// damaged.
#[wasm_bindgen_test]
async fn without_compression_streams_links_degrade_and_say_why() {
    use js_sys::Reflect;
    use whenasync_app::url::deflate::{deflate_raw, inflate_raw, stored};
    use whenasync_link::LinkError;

    let global = js_sys::global();
    let names = ["CompressionStream", "DecompressionStream"];
    let saved: Vec<_> = names
        .iter()
        .map(|n| Reflect::get(&global, &(*n).into()).expect("the browser has it"))
        .collect();
    for n in names {
        Reflect::delete_property(&global, &n.into()).expect("deleted");
    }
    let text = b"whenasync whenasync whenasync whenasync".to_vec();
    let deflated = deflate_raw(&text).await;
    let inflated = inflate_raw(&miniz_oxide::deflate::compress_to_vec(&text, 9), 1000).await;
    for (n, v) in names.iter().zip(&saved) {
        Reflect::set(&global, &(*n).into(), v).expect("restored");
    }
    assert_eq!(deflated, stored(&text));
    assert_eq!(inflated, Err(LinkError::NoInflater));
    assert!(LinkError::NoInflater
        .to_string()
        .contains("this browser cannot"));
}
