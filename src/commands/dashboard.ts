export async function runDashboard(_opts: { tui: boolean }): Promise<number> {
  process.stderr.write('certdeck: the interactive dashboard is not wired yet; run `certdeck --help`.\n');
  return 2;
}
