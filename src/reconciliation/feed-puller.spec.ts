import { pageUrl, parseCursorTrailer, TrailerSplitter } from './feed-puller';

const trailer = (cursor: string, more?: boolean): string =>
  JSON.stringify({
    resourceType: 'Parameters',
    parameter: [
      { name: 'next-cursor', valueString: cursor },
      ...(more === undefined ? [] : [{ name: 'more', valueBoolean: more }]),
    ],
  });

const collect = async (splitter: TrailerSplitter, lines: string[]): Promise<unknown[]> => {
  const out: unknown[] = [];
  for await (const line of splitter.lines(lines)) {
    out.push(line);
  }
  return out;
};

describe('pull protocol helpers', () => {
  it('reads the cursor trailer, and nothing else as one', () => {
    expect(parseCursorTrailer(trailer('c-2', true))).toEqual({ cursor: 'c-2', more: true });
    expect(parseCursorTrailer(trailer('c-2'))).toEqual({ cursor: 'c-2', more: false });
    expect(parseCursorTrailer('{"resourceType":"MedicationDispense","next-cursor":"x"}')).toBeUndefined();
    expect(parseCursorTrailer('{"resourceType":"Parameters","parameter":[{"name":"next-cursor"}]}')).toBeUndefined();
    expect(parseCursorTrailer('{"resourceType":"Parameters","parameter":[{"name":"next-cursor"')).toBeUndefined();
    expect(parseCursorTrailer({ overlong: true, bytes: 10 })).toBeUndefined();
  });

  it('takes the trailer off the end only', async () => {
    const splitter = new TrailerSplitter();
    expect(await collect(splitter, ['a', trailer('c-1'), 'b', trailer('c-2', true)])).toEqual([
      'a',
      trailer('c-1'),
      'b',
    ]);
    expect(splitter.trailer).toEqual({ cursor: 'c-2', more: true });
  });

  it('passes a page without trailer (a truncated body) through whole, with no cursor', async () => {
    const splitter = new TrailerSplitter();
    expect(await collect(splitter, ['a', '{"resourceType":"Para'])).toEqual(['a', '{"resourceType":"Para']);
    expect(splitter.trailer).toBeUndefined();
    expect(await collect(new TrailerSplitter(), [])).toEqual([]);
  });

  it('adds _since to the configured URL, keeping its own parameters', () => {
    expect(pageUrl('http://127.0.0.1:8080/feed', undefined)).toBe('http://127.0.0.1:8080/feed');
    expect(pageUrl('http://127.0.0.1:8080/feed?tenant=a', 'c 1/2')).toBe(
      'http://127.0.0.1:8080/feed?tenant=a&_since=c+1%2F2',
    );
  });
});
