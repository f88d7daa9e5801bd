/**
 * What Google checks in `appsscript.json` before it deploys a version (manifest reference,
 * "Allowlist URLs"): `urlFetchWhitelist` is required for a versioned deployment; every prefix is
 * a valid URL, uses https://, has a full domain and a non-empty path (a wildcard only as a
 * leading subdomain). A URL matches a prefix when it equals it or continues it past a path
 * boundary; path matching is case-sensitive.
 */
import { GoogleException } from './host';

export interface Manifest {
  timeZone?: string;
  runtimeVersion?: string;
  oauthScopes?: string[];
  urlFetchWhitelist?: string[];
  [key: string]: unknown;
}

export function allowlistProblems(prefixes: unknown): string[] {
  if (!Array.isArray(prefixes) || prefixes.length === 0) {
    return ['urlFetchWhitelist is required for a versioned deployment'];
  }
  const problems: string[] = [];
  for (const prefix of prefixes) {
    if (typeof prefix !== 'string') {
      problems.push(`${JSON.stringify(prefix)} is not a URL`);
      continue;
    }
    const match = /^https:\/\/(\*\.)?([^/?#*]+)(\/[^*]*)?$/.exec(prefix);
    if (!prefix.startsWith('https://')) {
      problems.push(`${prefix}: must use https://`);
    } else if (!match) {
      problems.push(`${prefix}: not a valid URL prefix`);
    } else if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?$/i.test(match[2]!)) {
      problems.push(`${prefix}: must have a full domain`);
    } else if (!match[3]) {
      problems.push(`${prefix}: must have a non-empty path (end the domain with "/")`);
    }
  }
  return problems;
}

export function validateManifest(manifest: Manifest): void {
  const problems = allowlistProblems(manifest.urlFetchWhitelist);
  if (problems.length > 0) {
    throw new GoogleException(`Invalid manifest: ${problems.join('; ')}`);
  }
}

/** Whether `url` is allowed by `prefix` under the documented matching rules. */
export function allowedBy(url: string, prefix: string): boolean {
  const wildcard = /^https:\/\/\*\.(.+)$/.exec(prefix);
  if (wildcard) {
    const parsed = /^https:\/\/([^/?#]+)(.*)$/.exec(url);
    const [domain, ...rest] = wildcard[1]!.split('/');
    const path = `/${rest.join('/')}`;
    return (
      !!parsed &&
      parsed[1]!.endsWith(`.${domain}`) &&
      allowedBy(`https://x${parsed[2] || '/'}`, `https://x${path}`)
    );
  }
  if (url === prefix) {
    return true;
  }
  if (!url.startsWith(prefix)) {
    return false;
  }
  return prefix.endsWith('/') || ['/', '?', '#'].includes(url[prefix.length]!);
}

export function checkAllowed(url: string, manifest: Manifest): void {
  const prefixes = manifest.urlFetchWhitelist;
  if (prefixes && !prefixes.some((prefix) => allowedBy(url, prefix))) {
    throw new GoogleException(
      `UrlFetch to ${url} is not allowed: the URL matches no prefix of urlFetchWhitelist in appsscript.json.`,
    );
  }
}
