/**
 * The part of ConfigObj (the INI dialect of certbot's renewal/*.conf) those files use: `key = value` lines,
 * `[section]` and `[[subsection]]` headers, `#` comments, values optionally quoted, and comma lists
 * (`webroot_path = /var/www/html,`). A subsection belongs to the section above it.
 */
export interface ConfigSection {
  values: Record<string, string>;
  sections: Record<string, ConfigSection>;
}

export function parseConfigObj(text: string): ConfigSection {
  const root: ConfigSection = { values: {}, sections: {} };
  let section = root;
  let parent = root;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^(\[+)\s*([^\]]+?)\s*(\]+)$/.exec(line);
    if (header) {
      const depth = header[1]!.length;
      const created: ConfigSection = { values: {}, sections: {} };
      if (depth === 1) {
        root.sections[header[2]!] = created;
        parent = created;
      } else {
        parent.sections[header[2]!] = created;
      }
      section = created;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    section.values[line.slice(0, eq).trim()] = unquote(line.slice(eq + 1).trim());
  }
  return root;
}

function unquote(v: string): string {
  const m = /^(["'])(.*)\1$/.exec(v);
  return m ? m[2]! : v.replace(/\s+#.*$/, '');
}

/** A ConfigObj list value: comma-separated, a trailing comma allowed, items maybe quoted. */
export function configList(v: string | undefined): string[] {
  if (v === undefined) return [];
  return v
    .split(',')
    .map((s) => unquote(s.trim()))
    .filter((s) => s !== '');
}

export function configBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  return /^(true|yes|on|1)$/i.test(v);
}
