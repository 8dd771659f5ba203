import type http from 'node:http';
import type https from 'node:https';

/** Listens on 127.0.0.1 only (0: any free port); rejects if the port is taken. */
export function listenOnLoopback(server: http.Server | https.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Closes the server and its open keep-alive connections, so close() does not wait on idle clients. */
export function closeServer(server: http.Server | https.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
