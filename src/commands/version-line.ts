/** What `certdeck --version` prints: the version, and the Node running it (a bug report needs both). */
export function versionLine(version: string): string {
  return `certdeck ${version} (node ${process.version})`;
}
