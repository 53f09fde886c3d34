/**
 * Plain HTTP for the proxy tests: a local server that records every request
 * that reached it (the proxy's upstream side), and a request sent byte for
 * byte as given (fetch would normalise `..` and `//` in the path, which the
 * proxy's path rules must see).
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  path: string;
  headers: http.IncomingHttpHeaders;
}

/** A local HTTP server that records what reached it. */
export async function listen(
  handler: (request: http.IncomingMessage, response: http.ServerResponse) => void,
) {
  const seen: Seen[] = [];
  const server = http.createServer((request, response) => {
    seen.push({ path: request.url ?? '', headers: request.headers });
    handler(request, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, host, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** Raw GET (no URL normalisation, unlike fetch), returning status, headers and body text. */
export function rawRequest(
  port: number,
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      const request = http.request(
        { host: '127.0.0.1', port, path, method, headers },
        (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
          );
        },
      );
      request.on('error', reject);
      request.end();
    },
  );
}
