import { InputError } from '../core/errors.ts';
/** Where load goes: parsed once from the URL, with the request bytes prebuilt. */
export interface Target {
  host: string;
  port: number;
  tls: boolean;
  /** Server name for TLS (SNI and certificate check); empty for IP literals. */
  servername: string;
  path: string;
  url: string;
}

export class TargetError extends InputError {}

export function parseTarget(url: string): Target {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TargetError(`'${url}' is not a URL; give one like http://127.0.0.1:8080/`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TargetError(`'${url}' uses ${parsed.protocol}; meshtax drives http:// and https:// URLs`);
  }
  if (parsed.username || parsed.password) {
    throw new TargetError(`'${url}' carries credentials; meshtax does not send them`);
  }
  const tls = parsed.protocol === 'https:';
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const isIp = /^[\d.]+$/.test(host) || host.includes(':');
  return {
    host,
    port: parsed.port ? Number(parsed.port) : tls ? 443 : 80,
    tls,
    servername: isIp ? '' : host,
    path: `${parsed.pathname}${parsed.search}`,
    url,
  };
}

export function requestBytes(target: Target, userAgent: string): Buffer {
  const hostHeader = target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
  return Buffer.from(
    `GET ${target.path} HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: ${userAgent}\r\nAccept: */*\r\n\r\n`,
    'latin1',
  );
}
