/**
 * PropertiesService and CacheService with Google's quotas: a property value holds at most 9 KB
 * and a store 500 KB; a cache key at most 250 characters, a cached value at most 100 KB, an
 * expiration at most 6 hours. In a custom function the user store is the one of the effective
 * user (the spreadsheet's owner), read-only for everybody else.
 */
import { GoogleException, type FakeUser, type GoogleHost } from './host';

export const PROPERTY_VALUE_BYTES = 9 * 1024;
export const PROPERTY_STORE_BYTES = 500 * 1024;
export const CACHE_KEY_CHARACTERS = 250;
export const CACHE_VALUE_BYTES = 100 * 1024;
export const CACHE_MAX_SECONDS = 21_600;

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

export class FakePropertyStore {
  readonly values = new Map<string, string>();
  constructor(
    private readonly host: GoogleHost,
    readonly label: string,
  ) {}

  private size(except?: string) {
    let total = 0;
    for (const [key, value] of this.values) {
      if (key !== except) {
        total += bytes(key) + bytes(value);
      }
    }
    return total;
  }
  getProperty(key: string) {
    this.host.require('properties', 'Properties.getProperty');
    return this.values.get(key) ?? null;
  }
  getProperties() {
    this.host.require('properties', 'Properties.getProperties');
    return Object.fromEntries(this.values);
  }
  getKeys() {
    this.host.require('properties', 'Properties.getKeys');
    return [...this.values.keys()];
  }
  setProperty(key: string, value: string) {
    this.host.require('properties', 'Properties.setProperty');
    const text = String(value);
    if (bytes(text) > PROPERTY_VALUE_BYTES) {
      throw new GoogleException(
        `Argument too large: value (property "${key}", ${bytes(text)} bytes; the limit is 9 KB)`,
      );
    }
    if (this.size(key) + bytes(key) + bytes(text) > PROPERTY_STORE_BYTES) {
      throw new GoogleException(
        'You have exceeded the property storage quota. Please remove some properties and try again.',
      );
    }
    this.values.set(key, text);
    return this;
  }
  setProperties(properties: Record<string, string>) {
    for (const [key, value] of Object.entries(properties)) {
      this.setProperty(key, value);
    }
    return this;
  }
  deleteProperty(key: string) {
    this.host.require('properties', 'Properties.deleteProperty');
    this.values.delete(key);
    return this;
  }
  deleteAllProperties() {
    this.host.require('properties', 'Properties.deleteAllProperties');
    this.values.clear();
    return this;
  }
}

/** A store seen read-only: what an editor gets for the owner's user properties in a formula. */
function readOnly(store: FakePropertyStore, host: GoogleHost) {
  const refuse = (method: string) => () => {
    host.require('properties', method);
    throw new GoogleException(
      `You do not have permission to call ${method}: a custom function cannot set user properties for another user.`,
    );
  };
  return {
    getProperty: (key: string) => store.getProperty(key),
    getProperties: () => store.getProperties(),
    getKeys: () => store.getKeys(),
    setProperty: refuse('Properties.setProperty'),
    setProperties: refuse('Properties.setProperties'),
    deleteProperty: refuse('Properties.deleteProperty'),
    deleteAllProperties: refuse('Properties.deleteAllProperties'),
  };
}

export class FakeCache {
  readonly entries = new Map<string, { value: string; expires: number }>();
  constructor(private readonly host: GoogleHost) {}

  private checkKey(key: string) {
    if (typeof key !== 'string' || key.length === 0) {
      throw new GoogleException('Cache keys must be non-empty strings.');
    }
    if (key.length > CACHE_KEY_CHARACTERS) {
      throw new GoogleException(
        `Argument too large: key (${key.length} characters; the limit is ${CACHE_KEY_CHARACTERS})`,
      );
    }
  }
  private live(key: string) {
    const entry = this.entries.get(key);
    if (entry && entry.expires <= this.host.clock.now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
  get(key: string) {
    this.host.require('cache', 'Cache.get');
    this.checkKey(key);
    return this.live(key)?.value ?? null;
  }
  getAll(keys: string[]) {
    this.host.require('cache', 'Cache.getAll');
    const found: Record<string, string> = {};
    for (const key of keys) {
      this.checkKey(key);
      const entry = this.live(key);
      if (entry) {
        found[key] = entry.value;
      }
    }
    return found;
  }
  put(key: string, value: string, seconds = 600) {
    this.putAll({ [key]: value }, seconds);
  }
  putAll(values: Record<string, string>, seconds = 600) {
    this.host.require('cache', 'Cache.putAll');
    if (seconds < 1 || seconds > CACHE_MAX_SECONDS) {
      throw new GoogleException(
        `Argument out of range: expirationInSeconds (${seconds}; at most ${CACHE_MAX_SECONDS})`,
      );
    }
    for (const [key, value] of Object.entries(values)) {
      this.checkKey(key);
      if (bytes(String(value)) > CACHE_VALUE_BYTES) {
        throw new GoogleException(
          `Argument too large: value (cache key "${key}", ${bytes(String(value))} bytes; the limit is 100 KB)`,
        );
      }
    }
    for (const [key, value] of Object.entries(values)) {
      this.entries.set(key, {
        value: String(value),
        expires: this.host.clock.now + seconds * 1000,
      });
    }
  }
  remove(key: string) {
    this.host.require('cache', 'Cache.remove');
    this.entries.delete(key);
  }
  removeAll(keys: string[]) {
    for (const key of keys) {
      this.remove(key);
    }
  }
}

export class Storage {
  readonly script: FakePropertyStore;
  readonly document: FakePropertyStore;
  private readonly user = new Map<string, FakePropertyStore>();
  readonly scriptCache: FakeCache;
  readonly documentCache: FakeCache;
  private readonly userCaches = new Map<string, FakeCache>();

  constructor(private readonly host: GoogleHost) {
    this.script = new FakePropertyStore(host, 'script');
    this.document = new FakePropertyStore(host, 'document');
    this.scriptCache = new FakeCache(host);
    this.documentCache = new FakeCache(host);
  }

  userStore(user: FakeUser): FakePropertyStore {
    let store = this.user.get(user.email);
    if (!store) {
      store = new FakePropertyStore(this.host, `user ${user.email}`);
      this.user.set(user.email, store);
    }
    return store;
  }
  userCache(user: FakeUser): FakeCache {
    let cache = this.userCaches.get(user.email);
    if (!cache) {
      cache = new FakeCache(this.host);
      this.userCaches.set(user.email, cache);
    }
    return cache;
  }

  /** The user a store or cache belongs to now: in a custom function, the owner. */
  private effectiveUser(): { user: FakeUser; foreign: boolean } {
    const execution = this.host.execution;
    if (execution.kind === 'custom-function') {
      return { user: this.host.owner, foreign: execution.user !== this.host.owner };
    }
    return { user: execution.user, foreign: false };
  }

  globals() {
    return {
      PropertiesService: {
        getScriptProperties: () => this.script,
        getDocumentProperties: () => this.document,
        getUserProperties: () => {
          const { user, foreign } = this.effectiveUser();
          const store = this.userStore(user);
          return foreign ? readOnly(store, this.host) : store;
        },
      },
      CacheService: {
        getScriptCache: () => this.scriptCache,
        getDocumentCache: () => this.documentCache,
        getUserCache: () => this.userCache(this.effectiveUser().user),
      },
    };
  }
}
