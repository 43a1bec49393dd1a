// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** Certificate material in PEM, for one identity or the CA. */
export interface PemPair {
  certPem: string;
  keyPem: string;
}

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** The DNS suffix of every identity's certificate; proxies check server names against it. */
export const TRUST_DOMAIN = 'meshtax.local';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

async function keyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

/** PEM text ending in a newline: @peculiar/x509 leaves it off, and OpenSSL cannot read two blocks run together. */
function pem(text: string): string {
  return `${text.trimEnd()}\n`;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return pem(x509.PemConverter.encode(der, 'PRIVATE KEY'));
}

/** A per-run certificate authority, valid for one day from a minute ago (clock skew between processes is nil). */
export async function createAuthority(runId: string): Promise<PemPair & { keys: CryptoKeyPair; name: string }> {
  const keys = await keyPair();
  const name = `CN=meshtax run ${runId} CA`;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name,
    keys,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 24 * 3600_000),
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: pem(cert.toString('pem')), keyPem: await privateKeyPem(keys.privateKey), keys, name };
}

/** DNS name of an identity, e.g. `server-sidecar.baseline.meshtax.local`. */
export function identityDnsName(identity: string, mode: string): string {
  return `${identity}.${mode}.${TRUST_DOMAIN}`;
}

/**
 * A leaf certificate for one proxy identity, usable both as a server and as a client (mesh proxies authenticate
 * both ways), with the DNS name proxies verify and a SPIFFE-style URI like a mesh would carry.
 */
export async function issueIdentity(
  authority: { keys: CryptoKeyPair; name: string },
  dnsName: string,
): Promise<PemPair> {
  const keys = await keyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${dnsName}`,
    issuer: authority.name,
    publicKey: keys.publicKey,
    signingKey: authority.keys.privateKey,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 24 * 3600_000),
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: dnsName },
        { type: 'url', value: `spiffe://${TRUST_DOMAIN}/${dnsName}` },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(authority.keys.publicKey),
    ],
  });
  return { certPem: pem(cert.toString('pem')), keyPem: await privateKeyPem(keys.privateKey) };
}
