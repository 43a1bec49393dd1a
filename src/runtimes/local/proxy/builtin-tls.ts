import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { ClientTls, ServerTls } from './types.ts';
import { MeshtaxError } from '../../../core/errors.ts';

/** A spec the built-in proxy cannot run: unreadable certificate files, bad PEM. */
export class ProxyConfigError extends MeshtaxError {}

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ProxyConfigError(`cannot read the ${what} ${file}: ${(error as Error).message}`);
  }
}

function context(options: tls.SecureContextOptions, files: string): tls.SecureContext {
  try {
    return tls.createSecureContext(options);
  } catch (error) {
    throw new ProxyConfigError(`cannot use ${files}: ${(error as Error).message}`);
  }
}

/**
 * Server-side mTLS: present our certificate, require a client certificate and verify it against the run's CA.
 * The files are read and parsed once, here, so a bad file fails the start instead of the first handshake.
 */
export function serverTlsOptions(config: ServerTls): tls.TlsOptions {
  const cert = read(config.certFile, 'certificate');
  const key = read(config.keyFile, 'private key');
  const ca = read(config.caFile, 'CA certificate');
  context({ cert, key, ca }, `${config.certFile}, ${config.keyFile} and ${config.caFile}`);
  return { cert, key, ca, requestCert: true, rejectUnauthorized: true };
}

/**
 * Client-side mTLS: present our certificate, send `serverName` as SNI and verify the server's chain against the
 * run's CA and its name against `serverName` (never against the IP we connect to). One secure context serves
 * every connection, so certificates are not parsed again per handshake.
 */
export function clientTlsOptions(config: ClientTls): tls.ConnectionOptions {
  const serverName = config.serverName;
  const secureContext = context(
    {
      cert: read(config.certFile, 'certificate'),
      key: read(config.keyFile, 'private key'),
      ca: read(config.caFile, 'CA certificate'),
    },
    `${config.certFile}, ${config.keyFile} and ${config.caFile}`,
  );
  return {
    secureContext,
    servername: serverName,
    rejectUnauthorized: true,
    checkServerIdentity: (_host, certificate) => tls.checkServerIdentity(serverName, certificate),
  };
}
