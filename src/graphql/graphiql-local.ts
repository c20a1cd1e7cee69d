import { Controller, Get, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * GraphiQL with every asset served by the service (issue 20): Mercurius's GraphiQL page fetches React and GraphiQL
 * from unpkg.com, so on a network without internet (Norsk helsenett) it stays blank. This serves Mercurius's own
 * page and scripts with those URLs pointed at copies from the installed `react`, `react-dom` and `graphiql`
 * packages, read once at start. Development only, like GraphiQL itself (Mercurius's own is turned off).
 */

const packageFile = (pkg: string, file: string): string =>
  path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);

/** The vendor files by the name the page asks for (`/graphiql/vendor/<name>`). */
const VENDOR: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  'react.production.min.js': { file: packageFile('react', 'umd/react.production.min.js'), type: 'text/javascript' },
  'react-dom.production.min.js': {
    file: packageFile('react-dom', 'umd/react-dom.production.min.js'),
    type: 'text/javascript',
  },
  'graphiql.min.js': { file: packageFile('graphiql', 'graphiql.min.js'), type: 'text/javascript' },
  'graphiql.min.css': { file: packageFile('graphiql', 'graphiql.min.css'), type: 'text/css' },
  'graphiql.css': { file: packageFile('graphiql', 'graphiql.css'), type: 'text/css' },
};

const UNPKG = /https:\/\/unpkg\.com\/(?:react|react-dom|graphiql)@[0-9.]+\/(?:umd\/)?/g;

/** Pure: Mercurius's script with every unpkg.com URL pointed at /graphiql/vendor/. Throws if one would remain. */
export const localiseGraphiqlScript = (source: string): string => {
  const local = source.replace(UNPKG, '/graphiql/vendor/');
  if (local.includes('unpkg.com')) {
    throw new Error('GraphiQL script still names unpkg.com: update graphiql-local.ts for this Mercurius version');
  }
  return local;
};

const mercuriusStatic = (file: string): string =>
  readFileSync(packageFile('mercurius', path.join('static', file)), 'utf8');

@Controller('graphiql')
export class LocalGraphiqlController {
  private readonly page = mercuriusStatic('graphiql.html');
  private readonly main = localiseGraphiqlScript(mercuriusStatic('main.js'));
  private readonly worker = localiseGraphiqlScript(mercuriusStatic('sw.js'));
  private readonly vendor = new Map(
    Object.entries(VENDOR).map(([name, { file, type }]) => [name, { body: readFileSync(file), type }]),
  );

  @Get()
  html(@Res() reply: FastifyReply): void {
    void reply.type('text/html; charset=utf-8').send(this.page);
  }

  @Get('config.js')
  config(@Res() reply: FastifyReply): void {
    void reply
      .type('text/javascript')
      .send("window.GRAPHQL_ENDPOINT = '/graphql';\nwindow.GRAPHIQL_PLUGIN_LIST = [];\n");
  }

  @Get('main.js')
  script(@Res() reply: FastifyReply): void {
    void reply.type('text/javascript').send(this.main);
  }

  @Get('sw.js')
  serviceWorker(@Res() reply: FastifyReply): void {
    void reply.type('text/javascript').send(this.worker);
  }

  @Get('vendor/:name')
  asset(@Param('name') name: string, @Res() reply: FastifyReply): void {
    const asset = this.vendor.get(name);
    void (asset === undefined ? reply.code(404).send({ error: 'not found' }) : reply.type(asset.type).send(asset.body));
  }
}
