import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';
import type { ExportToken } from '../src/saved-queries/export-token.entity';
import { exportTokenExpiry } from '../src/saved-queries/saved-query.service';

describe('configuration', () => {
  it('defaults to the SQLite file and local reader access', () => {
    const config = loadConfig({});
    expect(config.database).toMatchObject({ driver: 'sqlite' });
    expect(config.database.driver === 'sqlite' && config.database.file).toMatch(
      /data\/rede-hub\.sqlite$/,
    );
    expect(config.port).toBe(4000);
    expect(config.anonymousAccess).toBe('reader');
  });

  it('switches to PostgreSQL with DATABASE_URL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/hub' }).database).toEqual(
      {
        driver: 'postgresql',
        url: 'postgres://postgres@127.0.0.1:5432/hub',
      },
    );
  });

  it('refuses anonymous access by default in production', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).anonymousAccess).toBe('none');
  });

  it('lets CSV links expire after EXPORT_TOKEN_IDLE_DAYS without use (90 by default, 0: never)', () => {
    const token = { createdAt: new Date('2026-01-01T00:00:00Z'), lastUsedAt: null } as ExportToken;
    expect(exportTokenExpiry(token, loadConfig({}).exportTokenIdleDays)).toEqual(
      new Date('2026-04-01T00:00:00Z'),
    );
    const used = { ...token, lastUsedAt: new Date('2026-03-01T00:00:00Z') } as ExportToken;
    const week = loadConfig({ EXPORT_TOKEN_IDLE_DAYS: '7' }).exportTokenIdleDays;
    expect(exportTokenExpiry(used, week)).toEqual(new Date('2026-03-08T00:00:00Z'));
    expect(
      exportTokenExpiry(used, loadConfig({ EXPORT_TOKEN_IDLE_DAYS: '0' }).exportTokenIdleDays),
    ).toBeNull();
  });

  it('reads replicas, the read-your-writes window and the shutdown drain', () => {
    const primary = 'postgres://postgres@127.0.0.1:5432/hub';
    const config = loadConfig({
      DATABASE_URL: primary,
      DATABASE_READ_URLS: ' postgres://r1:5433/hub , postgres://r2:5434/hub,',
      READ_YOUR_WRITES_MS: '2500',
      SHUTDOWN_DELAY_MS: '4000',
    });
    expect(config.readUrls).toEqual(['postgres://r1:5433/hub', 'postgres://r2:5434/hub']);
    expect(config.readYourWritesMs).toBe(2500);
    expect(config.shutdownDelayMs).toBe(4000);
    expect(loadConfig({})).toMatchObject({
      readUrls: [],
      readYourWritesMs: 10_000,
      shutdownDelayMs: 0,
    });
  });

  it.each([
    [{ PORT: 'abc' }, /Invalid PORT="abc": PORT must be a number/],
    [{ PORT: '70000' }, /Invalid PORT="70000": PORT must be between 0 and 65535/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL "mysql:\/\/x" is not supported; use sqlite:/],
    [{ DATABASE_URL: 'postgres://' }, /DATABASE_URL is not a valid PostgreSQL URL/],
    [{ ANONYMOUS_ACCESS: 'everyone' }, /Invalid ANONYMOUS_ACCESS="everyone"/],
    [{ EXPORT_TOKEN_IDLE_DAYS: '-1' }, /Invalid EXPORT_TOKEN_IDLE_DAYS="-1"/],
    [{ PUBLIC_URL: 'rede.example.org' }, /Invalid PUBLIC_URL="rede.example.org"/],
    [
      { DATABASE_READ_URLS: 'postgres://r1/hub' },
      /DATABASE_READ_URLS lists PostgreSQL streaming replicas/,
    ],
    [
      { DATABASE_URL: 'postgres://p/hub', DATABASE_READ_URLS: 'sqlite:replica.sqlite' },
      /DATABASE_READ_URLS lists PostgreSQL streaming replicas/,
    ],
    [{ SHUTDOWN_DELAY_MS: '-5' }, /Invalid SHUTDOWN_DELAY_MS="-5"/],
    [{ SHUTDOWN_DELAY_MS: '600000' }, /Invalid SHUTDOWN_DELAY_MS="600000"/],
    [{ READ_YOUR_WRITES_MS: 'soon' }, /Invalid READ_YOUR_WRITES_MS="soon"/],
  ])('stops with one clear line for %j', (env, message) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
