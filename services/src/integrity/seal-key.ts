import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { keyIdOf, rawPublicKey, type SealSigner } from './seal';

export interface SealKey extends SealSigner {
  /** Where the private key was read from. */
  file: string;
  /** True when it was generated now, on first start. */
  generated: boolean;
}

/** The default key file of the embedded deployment. */
export const sealKeyPath = (dataDir: string) => join(dataDir, 'seal-key.pem');

/**
 * The Ed25519 key that signs seals. Never in the database (whoever can rewrite the log must not
 * be able to sign a new history): `SUARA_SEAL_KEY_FILE` (PKCS#8 PEM) when set, else
 * `DATA_DIR/seal-key.pem`, generated on first start (mode 0600) with a warning to keep a copy of
 * it elsewhere. A configured file that is missing or not an Ed25519 key stops the start.
 */
export function loadSealKey(options: { keyFile?: string; dataDir: string }, warn: (message: string) => void): SealKey {
  if (options.keyFile) return fromFile(options.keyFile, false);
  const file = sealKeyPath(options.dataDir);
  try {
    return fromFile(file, false);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  mkdirSync(dirname(file), { recursive: true });
  try {
    // 'wx': another process starting at the same moment keeps its key, we read it below.
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return fromFile(file, false);
  }
  const key = fromFile(file, true);
  warn(
    [
      '',
      '==================================================================',
      '  suara: a new seal signing key was generated:',
      `    ${file}`,
      `  public key (Ed25519): ${key.publicKey}  id ${key.keyId}`,
      '  Keep a copy of this file somewhere safe outside this machine, and',
      '  give the public key to the witnesses who keep printed seals.',
      '  For several replicas set SUARA_SEAL_KEY_FILE to one shared key.',
      '==================================================================',
      '',
    ].join('\n'),
  );
  return key;
}

/** The public half of the key that `loadSealKey` would use, without creating one; undefined when there is none. */
export function readSealPublicKey(options: { keyFile?: string; dataDir: string }): { publicKey: string; keyId: string } | undefined {
  try {
    const { publicKey, keyId } = fromFile(options.keyFile ?? sealKeyPath(options.dataDir), false);
    return { publicKey, keyId };
  } catch {
    return undefined;
  }
}

function fromFile(file: string, generated: boolean): SealKey {
  const pem = readFileSync(file, 'utf8');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new Error(`seal key ${file}: not a PEM private key`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`seal key ${file}: must be an Ed25519 key, found ${privateKey.asymmetricKeyType}`);
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), file, generated };
}
