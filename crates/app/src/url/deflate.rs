//! Raw deflate (RFC 1951) for the page's links, by the browser's compression streams
//! (`"deflate-raw"`): the page carries no compressor or inflater of its own (9 KB less
//! gzipped wasm).

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use whenasync_link::LinkError;

#[wasm_bindgen]
extern "C" {
    /// `CompressionStream`: web-sys has it only among its unstable APIs.
    #[wasm_bindgen(js_name = CompressionStream)]
    type CompressionStream;

    #[wasm_bindgen(constructor, js_class = "CompressionStream", catch)]
    fn new(format: &str) -> Result<CompressionStream, JsValue>;

    /// `DecompressionStream`, likewise.
    #[wasm_bindgen(js_name = DecompressionStream)]
    type DecompressionStream;

    #[wasm_bindgen(constructor, js_class = "DecompressionStream", catch)]
    fn new(format: &str) -> Result<DecompressionStream, JsValue>;
}

/// `deflated` inflated, read a chunk at a time and abandoned past `limit` bytes: a link is a
/// stranger's, and a few kilobytes may inflate to gigabytes.
pub async fn inflate_raw(deflated: &[u8], limit: usize) -> Result<Vec<u8>, LinkError> {
    let unsupported = |e: JsValue| {
        leptos::logging::warn!("this browser cannot inflate links: {e:?}");
        LinkError::NoInflater
    };
    let stream = bytes_stream(deflated).map_err(unsupported)?.pipe_through(
        &DecompressionStream::new("deflate-raw")
            .map_err(unsupported)?
            .unchecked_into(),
    );
    let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut out = Vec::new();
    loop {
        // Damaged or truncated input rejects the read.
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|_| LinkError::BadCompression)?;
        if Reflect::get(&chunk, &"done".into()).is_ok_and(|d| d.is_truthy()) {
            return Ok(out);
        }
        let bytes: Uint8Array = Reflect::get(&chunk, &"value".into())
            .map_err(|_| LinkError::BadCompression)?
            .unchecked_into();
        if out.len() + bytes.length() as usize > limit {
            let _ = reader.cancel();
            return Err(LinkError::TooLarge);
        }
        let at = out.len();
        out.resize(at + bytes.length() as usize, 0);
        bytes.copy_to(&mut out[at..]);
    }
}

fn bytes_stream(bytes: &[u8]) -> Result<web_sys::ReadableStream, JsValue> {
    Ok(web_sys::Blob::new_with_u8_array_sequence(&Array::of1(&Uint8Array::from(bytes)))?.stream())
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
    let pair: web_sys::ReadableWritablePair =
        CompressionStream::new("deflate-raw")?.unchecked_into();
    let stream = bytes_stream(bytes)?.pipe_through(&pair);
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
