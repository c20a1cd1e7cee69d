import { SingleBar } from 'cli-progress';
import { failedLine, messageOf, progressBar, runCli } from './cli-runner';

/** Lets runCli's promise callbacks run. */
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('cli-runner', () => {
  let exitCodeBefore: typeof process.exitCode;
  let printed: unknown[][];
  beforeEach(() => {
    exitCodeBefore = process.exitCode;
    printed = [];
    jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      printed.push(args);
    });
  });
  afterEach(() => {
    process.exitCode = exitCodeBefore;
    jest.restoreAllMocks();
  });

  it('sets the exit code main resolves to, printing nothing', async () => {
    runCli(() => Promise.resolve(3), { failure: failedLine('seed') });
    await settled();
    expect(process.exitCode).toBe(3);
    expect(printed).toEqual([]);
  });

  it('prints the failure line of a throw on stderr and exits 1', async () => {
    runCli(() => Promise.reject(new Error('the file is locked')), { failure: failedLine('rebuild') });
    await settled();
    expect(process.exitCode).toBe(1);
    expect(printed).toEqual([['rebuild failed: the file is locked']]);
  });

  it('redacts the message when asked, and takes a thrown non-Error as its string', async () => {
    runCli(() => Promise.reject(new Error('patient 31129956715')), {
      failure: failedLine('reconcile', (m) => m.replace(/\d{11}/g, '***')),
    });
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a thrown non-Error is the case under test
    runCli(() => Promise.reject('plain'), { failure: messageOf });
    await settled();
    expect(printed).toEqual([['reconcile failed: patient ***'], ['plain']]);
  });

  it('exitAtOnce ends the process with the code (copy-events)', async () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    runCli(() => Promise.resolve(0), { failure: messageOf, exitAtOnce: true });
    runCli(() => Promise.reject(new Error('boom')), { failure: messageOf, exitAtOnce: true });
    await settled();
    expect(exit.mock.calls).toEqual([[0], [1]]);
    expect(printed).toEqual([['boom']]);
  });

  it('progressBar is a cli-progress SingleBar with the given format and options', () => {
    const bar = progressBar(' {phase} [{bar}] {value}/{total}', { stream: process.stderr });
    expect(bar).toBeInstanceOf(SingleBar);
    // cli-progress keeps its merged options here; the preset supplies the bar characters.
    const options = (bar as unknown as { options: { format: string; stream: unknown; barCompleteChar: string } })
      .options;
    expect(options).toMatchObject({
      format: ' {phase} [{bar}] {value}/{total}',
      stream: process.stderr,
      barCompleteChar: '\u2588',
    });
  });
});
