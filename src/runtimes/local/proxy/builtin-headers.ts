/**
 * Header rewriting of the built-in L7 proxy, on node's raw header arrays (`[name, value, name, value, …]`, as in
 * `IncomingMessage.rawHeaders`), which keep the sender's spelling and order and cost no object per request.
 */

/** What the built-in proxy adds to `Via` in both directions. */
export const VIA = '1.1 meshtax-builtin';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) never forwarded: node writes its own `connection`, `keep-alive` and
 * `transfer-encoding` for each side; `upgrade` is not supported; the proxy-* ones are meant for this proxy.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

/** Extra names a `Connection` header lists (beyond close/keep-alive), which are hop-by-hop too; usually none. */
function connectionListed(raw: readonly string[]): Set<string> | undefined {
  let listed: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    for (const token of (raw[i + 1] as string).split(',')) {
      const option = token.trim().toLowerCase();
      if (option === '' || option === 'close' || option === 'keep-alive') continue;
      (listed ??= new Set()).add(option);
    }
  }
  return listed;
}

/** Appends `value` to the last header at `index` of `out` (comma-joined), or adds the header when absent. */
function appendTo(out: string[], index: number, name: string, value: string): void {
  if (index < 0) out.push(name, value);
  else out[index] = `${out[index] as string}, ${value}`;
}

export interface ForwardedRequest {
  headers: string[];
  /** The request carries a body (content-length above 0 or a transfer-encoding); bodiless ones can be retried. */
  hasBody: boolean;
}

/**
 * Headers to send upstream: hop-by-hop ones dropped, the client's address appended to `x-forwarded-for`, this hop
 * appended to `via`, and `host` set to the upstream when the client sent none (HTTP/1.0).
 */
export function forwardedRequest(
  raw: readonly string[],
  clientAddress: string | undefined,
  fallbackHost: string,
): ForwardedRequest {
  const listed = connectionListed(raw);
  const headers: string[] = [];
  let hasBody = false;
  let hasHost = false;
  let forwardedFor = -1;
  let via = -1;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || listed?.has(lower)) {
      if (lower === 'transfer-encoding') hasBody = true;
      continue;
    }
    if (lower === 'content-length') hasBody ||= value.trim() !== '0';
    else if (lower === 'host') hasHost = true;
    else if (lower === 'x-forwarded-for') forwardedFor = headers.length + 1;
    else if (lower === 'via') via = headers.length + 1;
    headers.push(name, value);
  }
  if (!hasHost) headers.push('host', fallbackHost);
  if (clientAddress !== undefined) appendTo(headers, forwardedFor, 'x-forwarded-for', clientAddress);
  appendTo(headers, via, 'via', VIA);
  return { headers, hasBody };
}

/** Headers to send downstream: hop-by-hop ones dropped and this hop appended to `via`. */
export function forwardedResponseHeaders(raw: readonly string[]): string[] {
  const listed = connectionListed(raw);
  const headers: string[] = [];
  let via = -1;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || listed?.has(lower)) continue;
    if (lower === 'via') via = headers.length + 1;
    headers.push(name, raw[i + 1] as string);
  }
  appendTo(headers, via, 'via', VIA);
  return headers;
}
