import cors from 'cors';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import { ErrorCode } from '../graphql/errors';
import { sendHttpError } from './http-errors';
import { RequestDeadline, runWithDeadline } from './request-deadline';
import { rateLimitIdentity } from './rate-limit';

/**
 * CORS is closed unless `CORS_ORIGINS` lists origins (or `*`). The add-on calls from Google's
 * servers (`UrlFetchApp`) and `IMPORTDATA` fetches server-side, so neither needs CORS; only a
 * browser page on another origin does, and it must be named.
 */
export function corsPolicy(config: AppConfig): RequestHandler {
  const origins = config.corsOrigins;
  if (origins.length === 0) {
    return (_req, _res, next) => next();
  }
  return cors({
    origin: origins.includes('*') ? '*' : origins,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: [
      'content-type',
      'authorization',
      'x-api-key',
      'apollo-require-preflight',
      'x-apollo-operation-name',
      'x-request-id',
    ],
    maxAge: 600,
  });
}

/**
 * In production with `PUBLIC_URL`, answers only requests addressed to that host, as Django's
 * `ALLOWED_HOSTS` does: no link the API builds can name a host a client made up, and a web page
 * that rebinds its own name to this server is refused. Health probes (`/health`, `/ready`)
 * address each instance directly and are let through. Behind a proxy, the proxy must pass the
 * public Host on (nginx: `proxy_set_header Host $host`).
 */
export function publicHostOnly(config: AppConfig): RequestHandler {
  if (config.env !== 'production' || !config.publicUrl) {
    return (_req, _res, next) => next();
  }
  const publicUrl = new URL(config.publicUrl);
  const hostOf = (header: string) => {
    try {
      return new URL(`${publicUrl.protocol}//${header}`).host;
    } catch {
      return null;
    }
  };
  return (req, res, next) => {
    if (
      req.path === '/health' ||
      req.path === '/ready' ||
      hostOf(req.get('host') ?? '') === publicUrl.host
    ) {
      next();
      return;
    }
    sendHttpError(
      res,
      421,
      ErrorCode.BadRequest,
      `This server answers requests for ${publicUrl.host} only (PUBLIC_URL); use that address, or have the proxy pass it as the Host header`,
    );
  };
}

/**
 * Answers 503 `TIMEOUT` when a request has not finished within `REQUEST_TIMEOUT_MS`, unless a
 * write has begun to commit (see `RequestDeadline`): then the request runs to completion and
 * answers what it wrote. After a 503, whatever the late handler writes is silenced so the client
 * sees one clear answer, and its write transactions are refused at commit.
 */
export function requestTimeout(timeoutMs: number, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const deadline = new RequestDeadline(timeoutMs);
    res.locals.deadline = deadline;
    const timer = setTimeout(() => {
      if (res.headersSent) {
        return;
      }
      const where = { path: req.path, timeoutMs, requestId: req.headers['x-request-id'] };
      if (!deadline.abandon()) {
        logger.warn(
          where,
          'request overran its timeout while writing; it runs to completion and answers what it wrote',
        );
        return;
      }
      sendHttpError(
        res,
        503,
        ErrorCode.Timeout,
        `The request did not finish within ${timeoutMs} ms and was abandoned (nothing was written); narrow it (filters, smaller pages) or retry later`,
        { timeoutMs },
      );
      muteLateWrites(res, () => logger.info(where, 'abandoned request finished'));
    }, timeoutMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    res.once('finish', clear);
    res.once('close', clear);
    next();
  };
}

/** The deadline `requestTimeout` set for this request, if it ran. */
function deadlineOf(res: Response): RequestDeadline | undefined {
  const deadline: unknown = res.locals.deadline;
  return deadline instanceof RequestDeadline ? deadline : undefined;
}

/**
 * Runs the rest of the chain under the request's deadline, so every transaction it commits asks
 * it first (`commitWithinDeadline`). Mounted after the body is parsed: body-parser's stream
 * callbacks do not carry the async context they were registered in.
 */
export function bindDeadline(): RequestHandler {
  return (_req, res, next) => {
    const deadline = deadlineOf(res);
    if (deadline) {
      runWithDeadline(deadline, next);
    } else {
      next();
    }
  };
}

function muteLateWrites(res: Response, finished: () => void): void {
  let done = false;
  const finish = () => {
    if (!done) {
      done = true;
      finished();
    }
  };
  const ignore = function (this: Response) {
    return this;
  };
  const ignoreAndFinish = function (this: Response) {
    finish();
    return this;
  };
  res.status = ignore as Response['status'];
  res.setHeader = ignore as unknown as Response['setHeader'];
  res.send = ignoreAndFinish as Response['send'];
  res.write = (() => true) as Response['write'];
  res.end = ignoreAndFinish as unknown as Response['end'];
}

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/**
 * Turns body-parser failures into GraphQL-shaped errors: an oversized body is a 413
 * `PAYLOAD_TOO_LARGE` that names the limit, malformed JSON a 400 `BAD_REQUEST`.
 */
export function bodyErrors(config: AppConfig): ErrorRequestHandler {
  return (error: BodyParserError, _req, res, next) => {
    if (error.type === 'entity.too.large') {
      sendHttpError(
        res,
        413,
        ErrorCode.PayloadTooLarge,
        `The request body is larger than the limit of ${config.limits.maxBodyBytes} bytes; send fewer rows per request`,
        { limitBytes: config.limits.maxBodyBytes },
      );
      return;
    }
    if (error.type === 'entity.parse.failed') {
      sendHttpError(res, 400, ErrorCode.BadRequest, 'The request body is not valid JSON');
      return;
    }
    if (error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') {
      sendHttpError(res, 415, ErrorCode.BadRequest, error.message);
      return;
    }
    next(error);
  };
}

/**
 * Whatever else reached Express's error handling: logged with its stack, answered 500 without it
 * (Express's own handler would send the stack, with absolute paths, outside production).
 */
export function lastResort(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    logger.error({ err: error, path: req.path }, 'unexpected error');
    sendHttpError(
      res,
      500,
      ErrorCode.InternalServerError,
      'Internal server error; the server log has the details',
    );
  };
}

/**
 * One line per request: method, path without its query string (export links carry a token
 * there), status, duration and whose budget it spent (a key's public prefix, never the secret).
 */
export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      logger.info(
        {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          client: rateLimitIdentity(req, res),
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'request',
      );
    });
    next();
  };
}
