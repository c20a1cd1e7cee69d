'use strict';
/*
 * Lets a plain `node` child process load the service's TypeScript sources (`node -r ./register-ts.js x.ts`):
 * each .ts file is transpiled on require with TypeScript's own transpileModule. No type check here: tsc and
 * ts-jest do that. Used only by tests that must run real code in a separate process (ts-node, swc and tsx
 * are not dependencies of this project). Output is cached by content hash, so a restarted child skips
 * loading the compiler altogether (the crash test restarts its child several times).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CACHE_DIR = path.join(os.tmpdir(), `register-ts-cache-${process.getuid ? process.getuid() : 'user'}`);
// Part of the cache key: bump when the compiler options change, or children load output of the old options.
const OPTIONS_VERSION = 'strict-1';
let ts;

const transpile = (source, filename) => {
  ts = ts || require('typescript');
  return ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      // as tsconfig.json: strict changes the decorator metadata (`x?: T | null` is Object under strict, T without),
      // and so what Nest's ValidationPipe validates
      strict: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      inlineSourceMap: true,
    },
  }).outputText;
};

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto
    .createHash('sha256')
    .update(OPTIONS_VERSION)
    .update(filename)
    .update('\0')
    .update(source)
    .digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, 'utf8');
  } catch {
    output = transpile(source, filename);
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    // write then rename: a child killed mid-write never leaves a truncated cache entry behind
    const temporary = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, output);
    fs.renameSync(temporary, cached);
  }
  module._compile(output, filename);
};
