import type { JSONWebKeySet, JWK } from 'jose';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../config/config-error';
import { ALLOWED_ALGORITHMS } from './dpop';

/**
 * The JWKS of AUTH_JWKS_FILE, read and checked when the app is composed (issue 15, part 5): a file that cannot be
 * read, is not JSON, holds a private key, or has no public key a token could be verified with (empty, or only
 * symmetric `oct` keys) refuses start with one line naming the variable and the file, instead of a JSON parser's
 * stack ("Unexpected end of JSON input") or a service that answers every request with 401.
 */

const USABLE_KEY_TYPES = new Set(['EC', 'RSA']);

/** A key a token of an allowed algorithm (ES256, PS256, RS256) can be verified with. */
export const isUsablePublicKey = (
  key: Readonly<Record<string, unknown>>,
): key is JWK & Readonly<Record<string, unknown>> =>
  typeof key.kty === 'string' &&
  USABLE_KEY_TYPES.has(key.kty) &&
  (key.alg === undefined || ALLOWED_ALGORITHMS.some((alg) => alg === key.alg)) &&
  (key.use === undefined || key.use === 'sig');

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses the text of a JWKS file; `file` names it in the problem. */
export const parseJwksFile = (text: string, file: string): JSONWebKeySet => {
  const problem = (what: string): ConfigError => new ConfigError([`AUTH_JWKS_FILE ${file} ${what}`]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw problem('is not valid JSON');
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.keys) || !parsed.keys.every(isRecord)) {
    throw problem('is not a JWKS (an object with a "keys" array of keys)');
  }
  const keys: readonly Readonly<Record<string, unknown>>[] = parsed.keys;
  if (keys.some((key) => 'd' in key)) {
    throw problem('holds a private key: give the public keys only');
  }
  if (!keys.some(isUsablePublicKey)) {
    throw problem(
      `has no usable public key (EC or RSA, for ${ALLOWED_ALGORITHMS.join(', ')}); symmetric keys are not accepted`,
    );
  }
  // Only the usable keys: a symmetric key left in the set would be offered to jose for an HS256 token.
  return { keys: keys.filter(isUsablePublicKey) };
};

export const loadJwksFile = (file: string): JSONWebKeySet => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError([`AUTH_JWKS_FILE ${file} cannot be read`]);
  }
  return parseJwksFile(text, file);
};
