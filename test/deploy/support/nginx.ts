import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { connect } from 'node:tls';
import { freePort } from './net.js';

export const NGINX = '/usr/sbin/nginx';

/**
 * A real nginx (Debian nginx-light) in its own prefix: config, pid file, temp paths and error log all inside `dir`,
 * listening on a random loopback port, run in the foreground as the test's child so it can always be stopped.
 */
export interface TestNginx {
  dir: string;
  conf: string;
  port: number;
  /** The argv for `nginx -s reload` against this instance. */
  reloadArgv: string[];
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

export async function startNginx(dir: string, opts: { names: string[]; certDir: string; defaultCertDir: string }): Promise<TestNginx> {
  const port = await freePort();
  await mkdir(path.join(dir, 'tmp'), { recursive: true });
  const conf = path.join(dir, 'nginx.conf');
  const temp = (n: string): string => path.join(dir, 'tmp', n);
  await writeFile(
    conf,
    `worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} info;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${temp('client_body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  # Any name not listed below gets this server and its unrelated certificate, so a check without SNI would fail.
  server {
    listen 127.0.0.1:${port} ssl default_server;
    ssl_certificate ${path.join(opts.defaultCertDir, 'fullchain.pem')};
    ssl_certificate_key ${path.join(opts.defaultCertDir, 'privkey.pem')};
    return 421;
  }
  server {
    listen 127.0.0.1:${port} ssl;
    server_name ${opts.names.join(' ')};
    ssl_certificate ${path.join(opts.certDir, 'fullchain.pem')};
    ssl_certificate_key ${path.join(opts.certDir, 'privkey.pem')};
    return 200 "ok\\n";
  }
}
`,
  );
  const base = ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')];
  const child: ChildProcess = spawn(NGINX, [...base, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit');
  const instance: TestNginx = {
    dir,
    conf,
    port,
    reloadArgv: [NGINX, ...base, '-s', 'reload'],
    errorLog: () => readFile(path.join(dir, 'error.log'), 'utf8').catch(() => ''),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
  // Ready when it completes a TLS handshake; bounded so a broken config fails the test instead of hanging it.
  const until = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited at start: ${stderr}${await instance.errorLog()}`);
    if (await handshakeOk(port)) return instance;
    if (Date.now() > until) {
      await instance.stop();
      throw new Error(`nginx did not come up on 127.0.0.1:${port}: ${stderr}${await instance.errorLog()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function handshakeOk(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, servername: 'probe.test', rejectUnauthorized: false });
    s.once('secureConnect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** The SHA-256 fingerprint nginx serves for `name` (SNI), independent of the code under test. */
export function servedFingerprint(port: number, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, servername: name, rejectUnauthorized: false });
    s.once('secureConnect', () => {
      const fp = s.getPeerCertificate().fingerprint256;
      s.destroy();
      resolve(fp);
    });
    s.once('error', reject);
  });
}
