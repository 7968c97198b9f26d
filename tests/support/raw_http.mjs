// A request as Node's http module sends it, for what the Client does not do: another local
// address, a Host header of the test's choosing. Answers the status, the headers and the text.
import { request as httpRequest } from 'node:http';

export function rawRequest(options, body) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
