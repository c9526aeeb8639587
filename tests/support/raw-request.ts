import http from 'node:http';

export interface RawAnswer {
  status: number;
  body: string;
}

/**
 * One request to the server at `base`, sent with http.request so that the path goes out exactly as written (fetch
 * and URL would clean it up) and every header as given (a Host of our choosing); the body, if any, as JSON.
 */
export function rawRequest(base: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<RawAnswer> {
  const target = new URL(base);
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        method,
        path,
        headers: {
          host: target.host,
          ...headers,
          ...(text !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } : {}),
        },
      },
      (res) => {
        let answer = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (answer += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: answer }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}
