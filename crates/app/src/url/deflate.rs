//! Raw deflate (RFC 1951) for the page's links, by the browser's
//! `CompressionStream("deflate-raw")`: the page does not carry a compressor of its own (6 KB
//! less gzipped wasm). Opening a link inflates in `whenasync_link`, synchronously.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// `CompressionStream`: web-sys has it only among its unstable APIs.
    #[wasm_bindgen(js_name = CompressionStream)]
    type CompressionStream;

    #[wasm_bindgen(constructor, js_class = "CompressionStream", catch)]
    fn new(format: &str) -> Result<CompressionStream, JsValue>;
}

/// `bytes`, raw-deflated by the browser; in stored blocks ([`stored`]) where it cannot.
pub async fn deflate_raw(bytes: &[u8]) -> Vec<u8> {
    match compressed(bytes).await {
        Ok(deflated) => deflated,
        Err(e) => {
            leptos::logging::warn!("links are not compressed: this browser cannot ({e:?})");
            stored(bytes)
        }
    }
}

async fn compressed(bytes: &[u8]) -> Result<Vec<u8>, JsValue> {
    let blob = web_sys::Blob::new_with_u8_array_sequence(&Array::of1(&Uint8Array::from(bytes)))?;
    let pair: web_sys::ReadableWritablePair =
        CompressionStream::new("deflate-raw")?.unchecked_into();
    let stream = blob.stream().pipe_through(&pair);
    let response = web_sys::Response::new_with_opt_readable_stream(Some(&stream))?;
    let buffer = JsFuture::from(response.array_buffer()?).await?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// `bytes` as raw deflate in stored blocks (RFC 1951, 3.2.4: no compression), which every
/// inflater reads: the links of a browser without `CompressionStream("deflate-raw")`, longer
/// but whole.
pub fn stored(bytes: &[u8]) -> Vec<u8> {
    const MAX_BLOCK: usize = 0xFFFF;
    let mut out = Vec::with_capacity(bytes.len() + 5 * (bytes.len() / MAX_BLOCK + 1));
    let mut blocks = bytes.chunks(MAX_BLOCK).peekable();
    if blocks.peek().is_none() {
        // One empty final block.
        return vec![1, 0, 0, 0xFF, 0xFF];
    }
    while let Some(block) = blocks.next() {
        // BFINAL on the last block; BTYPE 00, stored. The header's byte ends the bits, so
        // LEN and NLEN start byte-aligned.
        out.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::stored;

    #[test]
    fn stored_blocks_inflate_to_their_bytes() {
        for len in [0_usize, 1, 1000, 0xFFFF, 0x10000, 3 * 0xFFFF + 7] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let deflated = stored(&bytes);
            assert_eq!(deflated.len(), len + 5 * len.div_ceil(0xFFFF).max(1));
            let inflated = miniz_oxide::inflate::decompress_to_vec(&deflated)
                .unwrap_or_else(|e| panic!("{len} bytes: {e:?}"));
            assert_eq!(inflated, bytes, "{len} bytes");
        }
    }
}
