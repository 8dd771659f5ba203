/** Types for scripts/ensure-system-packages.mjs (plain JavaScript so it runs before the build). */
export interface SystemPackage {
  pkg: string;
  program: string;
  why: string;
}
export declare const SYSTEM_PACKAGES: readonly SystemPackage[];
export declare function isInstalled(entry: SystemPackage, env?: NodeJS.ProcessEnv): boolean;
export declare function missingPackages(probe?: (entry: SystemPackage) => boolean): SystemPackage[];
export declare function installLine(missing: readonly SystemPackage[]): string;
export declare function plan(
  missing: readonly SystemPackage[],
  opts: { isRoot: boolean; hasAptGet: boolean; checkOnly: boolean },
): { action: 'none' } | { action: 'install'; line: string } | { action: 'explain'; line: string };
