import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Em } from '../db/orm';
import { ApiKey } from './api-key.entity';
import { touchLastUsed } from './last-used';
import { type Role } from './auth.enums';
import type { Viewer } from './viewer';

const KEY_PATTERN = /^rh_([a-z0-9]{10})_([A-Za-z0-9_-]{32,64})$/;

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Keys look like `rh_<prefix>_<secret>`. The prefix finds the row; the secret is compared in
 * constant time with its stored SHA-256 (keys are 192 random bits, so a slow hash adds nothing).
 */
export function generateKey(): { key: string; prefix: string; secretHash: string } {
  const prefix = randomBytes(8).toString('hex').slice(0, 10);
  const secret = randomBytes(24).toString('base64url');
  return { key: `rh_${prefix}_${secret}`, prefix, secretHash: hashSecret(secret) };
}

export async function createApiKey(
  em: Em,
  input: { name: string; role: Role; stateUf?: string | null },
): Promise<{ apiKey: ApiKey; key: string }> {
  const { key, prefix, secretHash } = generateKey();
  const apiKey = em.create(ApiKey, {
    name: input.name,
    role: input.role,
    stateUf: input.stateUf ?? null,
    prefix,
    secretHash,
  });
  await em.persistAndFlush(apiKey);
  return { apiKey, key };
}

export async function verifyApiKey(em: Em, key: string): Promise<Viewer | null> {
  const match = KEY_PATTERN.exec(key);
  if (!match) {
    return null;
  }
  const apiKey = await em.findOne(ApiKey, { prefix: match[1]!, revokedAt: null, deletedAt: null });
  if (!apiKey) {
    return null;
  }
  const expected = Buffer.from(apiKey.secretHash, 'hex');
  const actual = Buffer.from(hashSecret(match[2]!), 'hex');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    return null;
  }
  void touchLastUsed(em, ApiKey, apiKey);
  return {
    kind: 'key',
    apiKeyId: apiKey.id,
    prefix: apiKey.prefix,
    name: apiKey.name,
    role: apiKey.role,
    stateUf: apiKey.stateUf ?? null,
  };
}

/** Revokes a key (kept, with its name, for the audit log); null when there is no such key. */
export async function revokeApiKey(em: Em, id: number): Promise<ApiKey | null> {
  const apiKey = await em.findOne(ApiKey, { id });
  if (!apiKey) {
    return null;
  }
  apiKey.revokedAt ??= new Date();
  await em.flush();
  return apiKey;
}

/** Active admin keys, to know whether a first one must be made. */
export function countActiveAdminKeys(em: Em): Promise<number> {
  return em.count(ApiKey, { role: 'ADMIN' as Role, revokedAt: null, deletedAt: null });
}
