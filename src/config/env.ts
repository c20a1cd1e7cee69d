/** The environment as the config parsers read it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A variable's trimmed value. Unset and blank alike: `PORT=` in a compose file means "use the default". */
export const valueOf = (env: Env, name: string): string | undefined => {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
};
