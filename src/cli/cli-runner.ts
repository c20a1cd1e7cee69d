import { type Options, Presets, SingleBar } from 'cli-progress';

/*
 * What every command-line entry point (seed, rebuild, reconcile, copy-events, schema, token) shares: running its
 * `main` as the program, and the progress bar of the long-running ones (issue 17).
 */

/** How a command reports a failure and ends. */
export interface CliRun {
  /** what a thrown error prints on stderr (console.error); the exit code is then 1 */
  readonly failure: (error: unknown) => unknown;
  /**
   * End with process.exit once `main` settles instead of setting process.exitCode: for a command whose store
   * client may keep the event loop alive after close (copy-events).
   */
  readonly exitAtOnce?: boolean;
}

/** An error's message, or the thrown value as a string. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The usual failure line, `<command> failed: <message>`; `redact` masks what must not reach a terminal. */
export const failedLine =
  (command: string, redact: (message: string) => string = (message) => message) =>
  (error: unknown): string =>
    `${command} failed: ${redact(messageOf(error))}`;

/**
 * Runs a command's `main`: the code it resolves to is the exit code; a throw prints `run.failure(error)` on
 * stderr and exits 1. Call it under `if (require.main === module)` so that importing the file (a spec) runs nothing.
 */
export const runCli = (main: () => Promise<number>, run: CliRun): void => {
  const finish = (code: number): void => {
    if (run.exitAtOnce === true) {
      process.exit(code);
    }
    process.exitCode = code;
  };
  main().then(finish, (error: unknown) => {
    console.error(run.failure(error));
    finish(1);
  });
};

/** A progress bar in the commands' one style (shades_classic); `format` names its tokens (cli-progress). */
export const progressBar = (format: string, options: Omit<Options, 'format'> = {}): SingleBar =>
  new SingleBar({ format, ...options }, Presets.shades_classic);
