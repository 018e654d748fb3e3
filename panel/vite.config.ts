import { fileURLToPath, URL } from "node:url";

import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

import { precompress } from "./precompress.ts";

// `npm run dev` serves the panel with hot reload and sends /api to the gateway of `make run` (or ABONO_GATEWAY).
const gateway = process.env.ABONO_GATEWAY ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react(), precompress()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  server: { proxy: { "/api": { target: gateway, changeOrigin: false } } },
  build: {
    outDir: "dist",
    sourcemap: true,
    chunkSizeWarningLimit: 600,
    // The libraries change far less often than the app: in their own chunks, a release re-downloads only the app.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/ },
            { name: "libs", test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
});
