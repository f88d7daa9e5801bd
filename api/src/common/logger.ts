import pino, { type Logger } from 'pino';
import type { AppConfig } from '../config';

/** Structured JSON logs; secrets in headers are redacted before anything is written. */
export function createLogger(config: Pick<AppConfig, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'apiKey', 'secret', 'token'],
      censor: '[redacted]',
    },
  });
}
