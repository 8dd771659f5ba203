/** An engine error's message and, when it has one, what to do about it, on one line (a flash or a form's footer). */
export function errorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const hint = typeof err === 'object' && err !== null && 'hint' in err && typeof err.hint === 'string' ? err.hint : undefined;
  return hint ? `${message} (${hint})` : message;
}
