// Builds the frontends of the windowed tests: for every directory
// tests/integration/pages/NAME with a main.js, bundles it (with the real
// @tauri-apps/api from node_modules) into OUT/NAME/dist/main.js, and copies
// keel.json, index.html and any files under NAME/static/ next to it.
//
// usage: node build.mjs PAGES-DIR OUT-DIR STAMP-FILE
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const [pagesDir, outDir, stamp] = process.argv.slice(2);
if (!stamp) {
  console.error('usage: node build.mjs PAGES-DIR OUT-DIR STAMP-FILE');
  process.exit(2);
}

const here = path.dirname(new URL(import.meta.url).pathname);
if (!fs.existsSync(path.join(here, 'node_modules', '@tauri-apps', 'api'))) {
  console.error(`build.mjs: ${path.join(here, 'node_modules')} lacks @tauri-apps/api; run "npm ci" in ${here} (make test does)`);
  process.exit(1);
}

const defaultHtml = '<!doctype html><html><head><meta charset="utf-8"><title>Keel test</title>' +
  '<script type="module" src="main.js"></script></head><body></body></html>\n';

for (const name of fs.readdirSync(pagesDir).sort()) {
  const src = path.join(pagesDir, name);
  if (!fs.existsSync(path.join(src, 'main.js'))) continue;
  const out = path.join(outDir, name);
  const dist = path.join(out, 'dist');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(dist, { recursive: true });
  await build({
    entryPoints: [path.join(src, 'main.js')],
    bundle: true,
    format: 'esm',
    target: 'safari16',
    outfile: path.join(dist, 'main.js'),
    nodePaths: [path.join(here, 'node_modules')],
    logLevel: 'warning',
  });
  fs.copyFileSync(path.join(src, 'keel.json'), path.join(out, 'keel.json'));
  const html = path.join(src, 'index.html');
  fs.writeFileSync(path.join(dist, 'index.html'), fs.existsSync(html) ? fs.readFileSync(html) : defaultHtml);
  const statics = path.join(src, 'static');
  if (fs.existsSync(statics)) fs.cpSync(statics, dist, { recursive: true });
}
fs.writeFileSync(stamp, new Date().toISOString() + '\n');
