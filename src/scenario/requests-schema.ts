import { z } from 'zod';
import { addProblem, integer, number } from './fields.ts';
import { showValue } from './show.ts';

/** The protocol and request-mix parts of `load` (schema.ts): what each request the generator sends looks like. */

export const protocolSchema = z
  .enum(['http1', 'http2', 'grpc'])
  .default('http1')
  .describe('What the generator speaks: http1 (HTTP/1.1), http2 (h2c with prior knowledge for http:// targets, TLS with ALPN h2 for https://), or grpc (unary calls over HTTP/2; see load.grpc)');

export const streamsSchema = integer(1, 1000)
  .default(1)
  .describe('http2 and grpc: concurrent streams per connection, 1 to 1000; at most connections × streams requests are in flight, the rest wait in the generator (and are counted as queued)');

/** Methods a request mix may use; HEAD is left out: its responses carry a length but no body. */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, {
  error: (iss) => `must be an HTTP header name (letters, digits and !#$%&'*+.^_\`|~-); got ${showValue(iss.input)}`,
});
const headerValue = z.string().regex(/^[^\r\n]*$/, { error: 'must be a single line (no CR or LF)' });

const requestSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9 ._/:-]{0,63}$/, {
        error: (iss) => `must be 1–64 letters, digits, spaces and . _ / : -, starting with a letter or digit; got ${showValue(iss.input)}`,
      })
      .optional()
      .describe('Name in results and reports; default: method and path, e.g. "GET /cart"'),
    method: z.enum(METHODS).default('GET').describe(`HTTP method: ${METHODS.join(', ')}`),
    path: z
      .string()
      .regex(/^\/[^\s]*$/, { error: (iss) => `must be a path starting with '/' and without spaces; got ${showValue(iss.input)}` })
      .describe('Path and query, starting with /, as /cart?id=7'),
    headers: z
      .record(headerName, headerValue)
      .default({})
      .describe('Request headers, name: value; Host and Content-Length are set by meshtax'),
    body: z.string().optional().describe('Request body, inline text (UTF-8)'),
    bodyFile: z.string().min(1).optional().describe('Request body read from this file, relative to the scenario file'),
    weight: number(0.000001, 1_000_000, 'must be a weight greater than 0 and at most 1000000')
      .default(1)
      .describe('Relative share of requests: an endpoint of weight 3 gets three times the requests of one of weight 1'),
    expectStatus: z
      .array(integer(100, 599))
      .min(1, { error: 'must list at least one status' })
      .optional()
      .describe('HTTP statuses that count as success; default: any 2xx. Any other status counts as a failed request'),
  })
  .superRefine((request, ctx) => {
    if (request.body !== undefined && request.bodyFile !== undefined) {
      addProblem(ctx, 'body and bodyFile exclude each other', 'keep one: body for inline text, bodyFile for a file', ['bodyFile']);
    }
  });

export const requestsSchema = z
  .array(requestSchema)
  .min(1, { error: 'must list at least one request' })
  .max(100, { error: 'must list at most 100 requests' })
  .superRefine((requests, ctx) => {
    const names = requests.map(requestName);
    names.forEach((name, index) => {
      if (names.indexOf(name) !== index) addProblem(ctx, `two requests are named '${name}'`, 'give each request its own name', [index, 'name']);
    });
  })
  .optional()
  .describe('The request mix (http1 and http2): endpoints picked per request by weight with load.seed; results carry each endpoint\'s percentiles beside the total. Default: GET of the target\'s path');

export const grpcSchema = z
  .strictObject({
    proto: z.string().min(1).optional().describe('The .proto file that defines the method, relative to the scenario file; default: meshtax\'s echo service'),
    method: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_.]*\/[A-Za-z_][A-Za-z0-9_]*$/, {
        error: (iss) => `must be a gRPC method as package.Service/Method; got ${showValue(iss.input)}`,
      })
      .default('meshtax.echo.v1.Echo/Echo')
      .describe('Unary method to call, as package.Service/Method'),
    message: z.record(z.string(), z.unknown()).default({}).describe('The request message in protobuf JSON form (bytes fields as base64)'),
    metadata: z.record(headerName, headerValue).default({}).describe('Request metadata (HTTP/2 headers), name: value'),
  })
  .optional()
  .describe('grpc only: the unary call the generator makes; default: meshtax\'s echo service (meshtax.echo.v1.Echo/Echo)');

/** A request's name: its own, or method and path. */
export function requestName(request: { name?: string | undefined; method?: string | undefined; path?: unknown }): string {
  return request.name ?? `${request.method ?? 'GET'} ${String(request.path)}`;
}
