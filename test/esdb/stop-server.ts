import { stopServer } from './esdb-server';

/** Jest's globalTeardown for `npm run test:esdb`. */
export default stopServer;
