// Vite plugin: after the build, each text file of the output worth it gets `<file>.br` and `<file>.gz` beside it,
// compressed once at the strongest settings (brotli 11, gzip 9) with Node's own zlib; the gateway serves them to
// the clients that take them (gateway/src/gateway/panel/endpoints.py), so no CPU is spent per request.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

import type { Plugin } from "vite";

const TEXT = /\.(js|mjs|css|html|svg|json|map|txt|webmanifest)$/;
const MIN_BYTES = 1024; // smaller files gain nothing worth a second request path

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

export function precompress(outDir = "dist"): Plugin {
  return {
    name: "abono-precompress",
    apply: "build",
    closeBundle() {
      for (const path of files(outDir)) {
        if (!TEXT.test(path)) continue;
        const body = readFileSync(path);
        if (body.length < MIN_BYTES) continue;
        const br = brotliCompressSync(body, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
          },
        });
        const gz = gzipSync(body, { level: 9 });
        // A variant no smaller than the original is left out: the original is then the best answer.
        if (br.length < body.length) writeFileSync(`${path}.br`, br);
        if (gz.length < body.length) writeFileSync(`${path}.gz`, gz);
      }
    },
  };
}
