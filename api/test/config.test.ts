import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';

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

  it.each([
    [{ PORT: 'abc' }, /Invalid PORT="abc": PORT must be a number/],
    [{ PORT: '70000' }, /Invalid PORT="70000": PORT must be between 0 and 65535/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL "mysql:\/\/x" is not supported; use sqlite:/],
    [{ DATABASE_URL: 'postgres://' }, /DATABASE_URL is not a valid PostgreSQL URL/],
    [{ ANONYMOUS_ACCESS: 'everyone' }, /Invalid ANONYMOUS_ACCESS="everyone"/],
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
