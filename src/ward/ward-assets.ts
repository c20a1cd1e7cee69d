import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The ward page's built files (`npm run build` writes them to dist/ward: web/ward/build.js), read once at start and
 * served from memory by the service itself: no CDN, no request leaves the host (issue 20). Only files the build
 * wrote are served, by exact name: no path from the URL ever reaches the file system.
 */
export interface WardAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

export const WARD_ASSETS_DIR = Symbol('WARD_ASSETS_DIR');

/** Where `npm run build` puts the page, relative to the working directory `npm start` runs in. */
export const DEFAULT_WARD_ASSETS_DIR = path.resolve(process.cwd(), 'dist', 'ward');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Every servable file of the directory by name (`index.html`, `ward.js` …); empty when the page was not built. */
export const loadWardAssets = (dir: string): ReadonlyMap<string, WardAsset> => {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return new Map();
  }
  return new Map(
    names.flatMap((name) => {
      const contentType = CONTENT_TYPES[path.extname(name)];
      return contentType === undefined
        ? []
        : [[name, { body: readFileSync(path.join(dir, name)), contentType }] as const];
    }),
  );
};

/** Shown at /ward when dist/ward is missing (a `nest build` without the page build, or `npm run start:dev`). */
export const NOT_BUILT_PAGE = `<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>Avdelingssiden er ikke bygget</title></head>
<body><main><h1>Avdelingssiden er ikke bygget</h1><p>Kjør <code>npm run build</code> og start tjenesten på nytt.</p></main></body></html>`;
