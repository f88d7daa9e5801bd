import type { Request, RequestHandler, Response } from 'express';
import { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import { ErrorCode } from '../graphql/errors';
import { recordRateLimited } from '../observability/metrics';
import { sendHttpError } from './http-errors';

/**
 * Whose budget a request spends: the identity its verified credential named (`chargeTo`: a key's
 * public prefix, an export token's — never a secret), or else the client address. A request whose
 * key or token fails verification spends its address's budget, never the budget of the key it
 * names: a stranger with a victim's public prefix and a wrong secret cannot lock the victim out.
 */
export function rateLimitIdentity(req: Request, res: Response): string {
  const charged: unknown = res.locals.rateLimitIdentity;
  return typeof charged === 'string' ? charged : `ip:${req.ip ?? 'unknown'}`;
}

/** Charges the rest of the request to `identity` (set once its credential is verified). */
export function chargeTo(res: Response, identity: string): void {
  res.locals.rateLimitIdentity = identity;
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
    const identity = rateLimitIdentity(req, res);
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
        recordRateLimited(identity);
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
