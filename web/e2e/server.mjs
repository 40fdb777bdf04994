// A static file server for the end-to-end tests: serves a built dist/ under a URL prefix
// ("/" or a sub-path such as "/whenasync/") on 127.0.0.1, and records every request so tests
// can prove nothing was fetched from outside the prefix.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { gzipSync } from "node:zlib";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
};

/**
 * Serves `root` at `prefix` on an ephemeral port. With `cors`, every response carries
 * `Access-Control-Allow-Origin: *` (as GitHub Pages sends), for pages of another origin that
 * load the site's scripts and wasm (the `<whenasync-widget>` custom element). With `gzip`, a
 * client that accepts it gets every file gzipped (level 9, as the transfer figures count), as a
 * static host such as GitHub Pages sends them: for load times over a throttled network. With
 * `cut`, a file whose path matches it is sent half, under its whole length, and the connection
 * dropped: a download cut off midway.
 * @returns {Promise<{url: string, requests: {path: string, status: number}[], close: () => Promise<void>}>}
 */
export async function serve(root, prefix = "/", { cors = false, gzip = false, cut = null } = {}) {
  const base = resolve(root);
  const requests = [];
  const gzipped = new Map();
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let status = 404;
    let body = "not found";
    let type = "text/plain; charset=utf-8";
    if (path.startsWith(prefix) || path + "/" === prefix) {
      let file = normalize(join(base, path.slice(prefix.length)));
      if (file === base || file.startsWith(base + sep)) {
        try {
          if ((await stat(file)).isDirectory()) file = join(file, "index.html");
          body = await readFile(file);
          type = TYPES[extname(file)] ?? "application/octet-stream";
          status = 200;
        } catch {
          // Missing file: 404 below.
        }
      }
    }
    requests.push({ path, status });
    // As a static host replies: with a length, and cacheable but revalidated (there are no
    // validators, so every request still reaches this server). Under "no-store", Chromium
    // reports a download that a script reads to its end as aborted: web/boot.js counts the
    // wasm's bytes that way.
    const headers = { "content-type": type, "cache-control": "no-cache" };
    if (cors) headers["access-control-allow-origin"] = "*";
    if (gzip && status === 200 && /\bgzip\b/.test(req.headers["accept-encoding"] ?? "")) {
      if (!gzipped.has(path)) gzipped.set(path, gzipSync(body, { level: 9 }));
      body = gzipped.get(path);
      headers["content-encoding"] = "gzip";
    }
    headers["content-length"] = Buffer.byteLength(body);
    res.writeHead(status, headers);
    if (status === 200 && cut?.test(path)) {
      res.write(body.subarray(0, body.length >> 1));
      setTimeout(() => res.socket.destroy(), 100);
      return;
    }
    res.end(body);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    requests,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}
