/** The environment as the config parsers read it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A variable's trimmed value. Unset and blank alike: `PORT=` in a compose file means "use the default". */
export const valueOf = (env: Env, name: string): string | undefined => {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
};

/** An integer variable from `min` to `max`; unset gives `fallback`, anything else is a problem naming the range. */
export const integerOf = (
  env: Env,
  name: string,
  range: { min: number; max: number; fallback: number },
  problems: string[],
): number => {
  const raw = valueOf(env, name);
  if (raw === undefined) {
    return range.fallback;
  }
  const value = /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    problems.push(`${name} must be an integer from ${range.min} to ${range.max} (got "${raw}")`);
    return range.fallback;
  }
  return value;
};
