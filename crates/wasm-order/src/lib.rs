//! Orders a wasm module's functions by likeness, so that gzip compresses the module better.
//!
//! gzip finds repeats only within the last 32 KiB it has read. A Rust module puts the copies of
//! one generic function, instantiated for many types (Leptos's effects and views, say), far
//! apart, and gzip then sees each copy as new. This crate names every function by its place in
//! an order where each function follows the one most like it; binaryen's
//! `--reorder-functions-by-name` then moves the bodies into that order
//! (`scripts/trunk-post-build.sh`). It changes where functions are, not what they do.
//!
//! Likeness is the share of 4-byte substrings that two bodies have in common, estimated by
//! MinHash signatures; the order is a greedy chain from the first function, each step taking
//! the most alike function not yet placed (ties: the earliest in the module). Everything is a
//! pure function of the module's bytes, so a build is reproducible.

use std::ops::Range;

use wasm_encoder::{Module, NameMap, NameSection, RawSection};
use wasmparser::{BinaryReaderError, Parser, Payload, TypeRef};

/// How many hash functions a signature holds: the estimate of likeness is in steps of 1/128.
/// Measured on the page's wasm, 16 ordered it worse than names do, 64 better, and 128 and 256
/// about the same.
const HASHES: usize = 128;

/// A function's MinHash signature: for each hash function, the least hash of its 4-byte
/// substrings.
type Signature = [u64; HASHES];

/// The module with a name section that names every function defined in it by its place in the
/// likeness order (`f0000` first), replacing any name section it had; imported functions are
/// named `import0`, `import1`, … . Every other section is copied as it is.
pub fn name_by_likeness(wasm: &[u8]) -> Result<Vec<u8>, BinaryReaderError> {
    let mut sections: Vec<(u8, Range<usize>)> = Vec::new();
    let mut imported = 0u32;
    let mut bodies: Vec<&[u8]> = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload?;
        match &payload {
            Payload::ImportSection(reader) => {
                for import in reader.clone().into_imports() {
                    if matches!(import?.ty, TypeRef::Func(_) | TypeRef::FuncExact(_)) {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(&wasm[body.range()]),
            Payload::CustomSection(reader) if reader.name() == "name" => continue,
            _ => {}
        }
        if let Some((id, range)) = payload.as_section() {
            sections.push((id, range));
        }
    }

    let order = likeness_order(&bodies);
    let width = order.len().saturating_sub(1).to_string().len();
    let mut rank = vec![0usize; order.len()];
    for (place, &body) in order.iter().enumerate() {
        rank[body] = place;
    }
    let mut names = NameMap::new();
    for index in 0..imported {
        names.append(index, &format!("import{index}"));
    }
    for (body, place) in rank.iter().enumerate() {
        names.append(imported + body as u32, &format!("f{place:0width$}"));
    }
    let mut name_section = NameSection::new();
    name_section.functions(&names);

    let mut module = Module::new();
    for (id, range) in sections {
        module.section(&RawSection {
            id,
            data: &wasm[range],
        });
    }
    module.section(&name_section);
    Ok(module.finish())
}

/// The bodies' indices in likeness order: a greedy chain from body 0, each step to the body
/// whose signature agrees with the last one's in the most places.
pub fn likeness_order(bodies: &[&[u8]]) -> Vec<usize> {
    let signatures: Vec<Signature> = bodies.iter().map(|body| signature(body)).collect();
    let mut left: Vec<usize> = (0..bodies.len()).collect();
    let mut order = Vec::with_capacity(bodies.len());
    let mut current = match left.first() {
        Some(&first) => first,
        None => return order,
    };
    left.remove(0);
    order.push(current);
    while !left.is_empty() {
        let here = &signatures[current];
        // (slot in `left`, agreement): the earliest slot wins a tie, so slot 0 stands until
        // a candidate agrees in more places.
        let mut best = (0usize, 0usize);
        for (slot, &candidate) in left.iter().enumerate() {
            let agree = here
                .iter()
                .zip(&signatures[candidate])
                .filter(|(a, b)| a == b)
                .count();
            if agree > best.1 {
                best = (slot, agree);
            }
        }
        current = left.remove(best.0);
        order.push(current);
    }
    order
}

/// The MinHash signature of a body's 4-byte substrings. A body shorter than 4 bytes has none,
/// and a signature of `u64::MAX` everywhere, which only such bodies share.
fn signature(body: &[u8]) -> Signature {
    let mut least = [u64::MAX; HASHES];
    for window in body.windows(4) {
        let gram = u64::from(u32::from_le_bytes([
            window[0], window[1], window[2], window[3],
        ]));
        for (k, slot) in least.iter_mut().enumerate() {
            let hash = mix(gram ^ SEEDS[k]);
            if hash < *slot {
                *slot = hash;
            }
        }
    }
    least
}

/// SplitMix64's finaliser: a bijection of u64 that scatters every input bit.
const fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One seed per hash function, fixed so that the order is the same on every machine.
const SEEDS: [u64; HASHES] = {
    let mut seeds = [0u64; HASHES];
    let mut k = 0;
    while k < HASHES {
        seeds[k] = mix(0x5eed_0000 + k as u64);
        k += 1;
    }
    seeds
};

#[cfg(test)]
mod tests;
