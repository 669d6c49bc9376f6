// Two pages, one build: the console (index.html) and the GraphiQL IDE (ide.html), written to
// registry/web/static and served by gridreg under /static/. Nothing is loaded from elsewhere.
import { resolve } from "node:path";
import { defineConfig } from "vite";

export default defineConfig({
  base: "/static/",
  publicDir: false,
  build: {
    outDir: resolve(import.meta.dirname, "../registry/web/static"),
    emptyOutDir: true,
    chunkSizeWarningLimit: 3000,
    assetsInlineLimit: 0,
    // .vite/manifest.json: which files each page needs, so gridreg serves the IDE's files only
    // when the IDE is on (registry/web/pages.py).
    manifest: true,
    rollupOptions: {
      input: {
        index: resolve(import.meta.dirname, "index.html"),
        ide: resolve(import.meta.dirname, "ide.html"),
      },
      // GraphiQL's dependencies carry React Server Components' "use client": harmless here.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
  server: { fs: { allow: [".."] } },
});
