/**
 * Word wrap to a width, breaking a word longer than the width (a URL) across lines instead of cutting it: text a
 * person must read in full (terms-of-service URLs, command lines) is never truncated.
 */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(8, width);
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/ +/)) {
      if (word === '') continue;
      const candidate = line === '' ? word : `${line} ${word}`;
      if (candidate.length <= w) {
        line = candidate;
        continue;
      }
      if (line !== '') out.push(line);
      let rest = word;
      while (rest.length > w) {
        out.push(rest.slice(0, w));
        rest = rest.slice(w);
      }
      line = rest;
    }
    out.push(line);
  }
  return out;
}

/** The rows of a scrolled view: `offset` clamped so the last page is full. */
export function scrollWindow<T>(rows: readonly T[], offset: number, height: number): { shown: T[]; offset: number; above: number; below: number } {
  const h = Math.max(1, height);
  const max = Math.max(0, rows.length - h);
  const at = Math.min(Math.max(0, offset), max);
  return { shown: rows.slice(at, at + h), offset: at, above: at, below: Math.max(0, rows.length - at - h) };
}
