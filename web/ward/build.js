// Builds the ward page (issue 20) into dist/ward (or the directory given as the first argument): one bundled,
// minified script (Preact + graphql-ws + the page), one stylesheet, the HTML. Run by `npm run build`.
const esbuild = require('esbuild');
const { copyFileSync, mkdirSync } = require('node:fs');
const path = require('node:path');

const buildWard = async (outDir = path.resolve(__dirname, '..', '..', 'dist', 'ward')) => {
  mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'main.tsx')],
    outfile: path.join(outDir, 'ward.js'),
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: path.join(__dirname, '..', 'tsconfig.json'),
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const file of ['index.html', 'ward.css']) {
    copyFileSync(path.join(__dirname, file), path.join(outDir, file));
  }
  return outDir;
};

module.exports = { buildWard };

if (require.main === module) {
  buildWard(process.argv[2]).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
