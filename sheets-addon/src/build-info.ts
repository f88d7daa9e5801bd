declare const __REDE_HUB__: string | undefined;

/**
 * The hub this build talks to, set by `build.mjs --hub`; the manifest's `urlFetchWhitelist`
 * allows exactly this prefix, so a domain's add-on can reach only its own hub.
 */
export const HUB_URL: string =
  typeof __REDE_HUB__ === 'string' ? __REDE_HUB__ : 'https://hub.invalid/';

export const GRAPHQL_URL = `${HUB_URL}graphql`;
