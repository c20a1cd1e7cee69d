import {
  DEV_KEYS_HINT,
  devAuthDir,
  loadOrCreateDevKeys,
  parseDevTokenArgs,
  signDevToken,
} from '../access/tokens/dev-keys';
import { messageOf, runCli } from './cli-runner';

/**
 * `npm run token -- --role prescriber --hpr 1234567`: prints a dev access token (AUTH_MODE=dev) signed with the
 * key in `${DATA_DIR}/dev-auth/`, the same key the running service trusts. See docs/security.md, "Development".
 */
const main = async (): Promise<void> => {
  if (process.env.NODE_ENV?.trim() === 'production') {
    throw new Error('npm run token is for development only (NODE_ENV=production)');
  }
  const options = parseDevTokenArgs(process.argv.slice(2));
  const keys = await loadOrCreateDevKeys(devAuthDir(process.env));
  process.stdout.write(`${await signDevToken(keys, options, new Date())}\n`);
  process.stderr.write(`${DEV_KEYS_HINT}\n`);
};

runCli(() => main().then(() => 0), { failure: messageOf });
