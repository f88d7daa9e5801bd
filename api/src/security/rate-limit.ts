import type { RequestHandler } from 'express';
import { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Logger } from 'pino';
import { presentedKey } from '../auth/authenticate';
import type { AppConfig } from '../config';
import { ErrorCode } from '../graphql/errors';
import { sendHttpError } from './http-errors';

const KEY_PREFIX = /^rh_([a-z0-9]{10})_/;

/**
 * Whose budget a request spends: the key's (by its public prefix, so the secret never becomes a
 * store key) or, for anonymous requests and malformed keys, the client address.
 */
export function rateLimitIdentity(
  headers: Record<string, string | string[] | undefined>,
  ip: string | undefined,
): string {
  const key = presentedKey(headers);
  const prefix = key ? KEY_PREFIX.exec(key)?.[1] : undefined;
  return prefix ? `key:${prefix}` : `ip:${ip ?? 'unknown'}`;
}

export interface RateLimit {
  middleware: RequestHandler;
  close(): Promise<void>;
}

/**
 * `RATE_LIMIT_PER_MINUTE` requests per identity per minute. Counted in memory for one instance;
 * with `REDIS_URL` the counters live in Redis so every instance spends the same budget. If Redis
 * stops answering, each instance falls back to its own memory counters rather than refusing all
 * traffic or none.
 */
export function createRateLimit(config: AppConfig, logger: Logger): RateLimit {
  const points = config.limits.rateLimitPerMinute;
  if (points === 0) {
    return { middleware: (_req, _res, next) => next(), close: async () => undefined };
  }
  const memory = new RateLimiterMemory({ points, duration: 60, keyPrefix: 'rede-hub:rl' });
  let redis: Redis | undefined;
  let limiter: RateLimiterAbstract = memory;
  if (config.redisUrl) {
    redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on('error', (error: Error) => {
      logger.warn(
        { err: { message: error.message } },
        'redis unavailable; rate limits per instance',
      );
    });
    limiter = new RateLimiterRedis({
      storeClient: redis,
      points,
      duration: 60,
      keyPrefix: 'rede-hub:rl',
      insuranceLimiter: memory,
    });
  }

  const middleware: RequestHandler = (req, res, next) => {
    const identity = rateLimitIdentity(req.headers, req.ip);
    limiter.consume(identity, 1).then(
      (state) => {
        res.setHeader('RateLimit-Limit', String(points));
        res.setHeader('RateLimit-Remaining', String(state.remainingPoints));
        res.setHeader('RateLimit-Reset', String(Math.ceil(state.msBeforeNext / 1000)));
        next();
      },
      (rejection: unknown) => {
        if (!(rejection instanceof RateLimiterRes)) {
          // The store failed and so did the insurance: let the request through, say so once.
          logger.error({ err: rejection }, 'rate limiter failed');
          next();
          return;
        }
        const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        res.setHeader('Retry-After', String(retryAfter));
        res.setHeader('RateLimit-Limit', String(points));
        res.setHeader('RateLimit-Remaining', '0');
        res.setHeader('RateLimit-Reset', String(retryAfter));
        sendHttpError(
          res,
          429,
          ErrorCode.RateLimited,
          `Rate limit of ${points} requests per minute reached; retry in ${retryAfter} s`,
          { retryAfterSeconds: retryAfter },
        );
      },
    );
  };

  return {
    middleware,
    async close() {
      if (redis) {
        await redis.quit().catch(() => redis?.disconnect());
      }
    },
  };
}
