//! Prints, for every preset, its link and the length of its link once edited (seed + 1):
//! the figure the README reports. `cargo run -p whenasync-link --example link_lengths`;
//! with `--golden`, prints lines for `tests/golden-links`.
use whenasync_link::{encode, link_for, View};
use whenasync_sim::presets;

fn main() {
    let golden = std::env::args().any(|a| a == "--golden");
    for name in presets::names() {
        let Some(Ok(mut sc)) = presets::get(name) else {
            continue;
        };
        let plain = encode(&link_for(&sc, View::default()));
        sc.seed += 1;
        let edited = encode(&link_for(
            &sc,
            View {
                model: Some(0),
                ..View::default()
            },
        ));
        if golden {
            println!("link {plain}\nlink {edited}");
        } else {
            println!(
                "{name:<24} preset link {:>3} chars · edited {:>4} chars",
                plain.len(),
                edited.len()
            );
        }
    }
}
