import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findApacheRoot } from '../../../src/engine/diagnose/host/apache-config.js';
import { listeningSockets } from '../../../src/engine/diagnose/host/listeners.js';
import { findNginxRoot, listenPort, loadConfig, nginxPaths } from '../../../src/engine/diagnose/host/nginx-config.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'certdeck-readers-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

describe('nginx configuration reader', () => {
  it('follows includes and picks the server block naming the domain, else the default_server', async () => {
    await mkdir(path.join(dir, 'nginx', 'sites'), { recursive: true });
    await writeFile(
      path.join(dir, 'nginx', 'nginx.conf'),
      `events {}
http {
  root /srv/fallback; # http-level
  include sites/*.conf;
}
`,
    );
    await writeFile(path.join(dir, 'nginx', 'sites', 'a.conf'), `server { listen 80 default_server; server_name _; root "/srv/default"; }\n`);
    await writeFile(
      path.join(dir, 'nginx', 'sites', 'b.conf'),
      `server {\n  listen [::]:80;\n  listen 127.0.0.1:80;\n  server_name www.example.org example.org;\n  location / { root /srv/example; }\n}\nserver { listen 443 ssl; server_name example.org; root /srv/tls; }\n`,
    );
    const config = await loadConfig(path.join(dir, 'nginx', 'nginx.conf'));
    const byName = findNginxRoot(config, 80, ['example.org'], '/usr/share/nginx');
    assert.equal(byName?.root, '/srv/example');
    assert.equal(byName?.match, 'server_name');
    assert.equal(byName?.configFile, path.join(dir, 'nginx', 'sites', 'b.conf'));
    const other = findNginxRoot(config, 80, ['other.net'], '/usr/share/nginx');
    assert.equal(other?.root, '/srv/default');
    assert.equal(other?.match, 'default_server');
    assert.equal(findNginxRoot(config, 8080, ['example.org'], '/usr/share/nginx'), undefined);
  });

  it('reads listen ports and the -p/-c of a master process command line', () => {
    assert.equal(listenPort('80'), 80);
    assert.equal(listenPort('127.0.0.1:8080'), 8080);
    assert.equal(listenPort('[::]:81'), 81);
    assert.equal(listenPort('127.0.0.1'), 80);
    assert.equal(listenPort('unix:/run/x.sock'), undefined);
    assert.deepEqual(nginxPaths('nginx: master process /usr/sbin/nginx -p /tmp/n -c nginx.conf -g daemon off;'), { prefix: '/tmp/n', conf: '/tmp/n/nginx.conf' });
    assert.deepEqual(nginxPaths('nginx: master process /usr/sbin/nginx'), { prefix: '/usr/share/nginx', conf: '/etc/nginx/nginx.conf' });
  });
});

describe('apache configuration reader', () => {
  it('finds the DocumentRoot of the VirtualHost on the port that names the domain', async () => {
    await mkdir(path.join(dir, 'apache', 'sites-enabled'), { recursive: true });
    await writeFile(path.join(dir, 'apache', 'apache2.conf'), 'DocumentRoot /var/www/html\nIncludeOptional sites-enabled/*.conf\n');
    await writeFile(
      path.join(dir, 'apache', 'sites-enabled', 'site.conf'),
      '<VirtualHost *:80>\n  ServerName example.org\n  ServerAlias www.example.org\n  DocumentRoot "/srv/www/example"\n</VirtualHost>\n<VirtualHost *:8080>\n  ServerName other.org\n  DocumentRoot /srv/other\n</VirtualHost>\n',
    );
    const conf = [path.join(dir, 'apache', 'apache2.conf')];
    assert.equal((await findApacheRoot(80, ['www.example.org'], conf))?.root, '/srv/www/example');
    assert.equal((await findApacheRoot(8080, ['other.org'], conf))?.root, '/srv/other');
    assert.equal((await findApacheRoot(9999, ['x.org'], conf))?.root, '/var/www/html');
  });
});

describe('/proc/net/tcp reader', () => {
  it('returns the listening sockets on the port with their address and inode, skipping connections', () => {
    const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 20 4 30 10 -1
   2: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5151 1 0000000000000000 100 0 0 10 0
`;
    assert.deepEqual(listeningSockets(tcp, 8080, false), [{ address: '127.0.0.1', inode: '4242' }]);
    assert.deepEqual(listeningSockets(tcp, 80, false), [{ address: '0.0.0.0', inode: '5151' }]);
    const tcp6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 778 1 0000000000000000 100 0 0 10 0
`;
    assert.deepEqual(listeningSockets(tcp6, 80, true), [
      { address: '::', inode: '777' },
      { address: '::1', inode: '778' },
    ]);
  });
});
