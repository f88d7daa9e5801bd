/**
 * The peers (PostGraphile v5, the Node 22 it needs, autocannon) are installed by the bench from
 * the npm registry into bench/peers/, pinned by bench/peers.json, never into the project. Node 22
 * comes from `node-<platform>-<arch>`, the binary package behind the `node` npm package.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface Peers {
  dir: string;
  /** The Node 22 binary from the `node` npm package. */
  node22: string;
  versions: Record<string, string>;
}

function installedVersion(dir: string, name: string): string | null {
  const manifest = path.join(dir, 'node_modules', name, 'package.json');
  return fs.existsSync(manifest)
    ? (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version
    : null;
}

export function ensurePeers(root: string, log: (line: string) => void): Peers {
  const dir = path.join(root, 'bench', 'peers');
  const nodePackage = `node-${process.platform}-${process.arch}`;
  const manifest = fs
    .readFileSync(path.join(root, 'bench', 'peers.json'), 'utf8')
    .replace('"NODE_PACKAGE":', JSON.stringify(nodePackage) + ':');
  const wanted = JSON.parse(manifest) as { dependencies: Record<string, string> };
  const node22 = path.join(dir, 'node_modules', nodePackage, 'bin', 'node');
  const missing = Object.entries(wanted.dependencies).filter(
    ([name, version]) => installedVersion(dir, name) !== version,
  );
  if (missing.length > 0 || !fs.existsSync(node22)) {
    log(`installing peers into bench/peers: ${missing.map(([n, v]) => `${n}@${v}`).join(', ')}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), manifest);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', dir], {
      stdio: 'inherit',
    });
  }
  const nodeVersion = execFileSync(node22, ['--version'], { encoding: 'utf8' }).trim();
  if (!nodeVersion.startsWith('v22.')) {
    throw new Error(`bench/peers: expected Node 22 for PostGraphile, found ${nodeVersion}`);
  }
  const versions: Record<string, string> = { node22: nodeVersion };
  for (const name of Object.keys(wanted.dependencies)) {
    versions[name] = installedVersion(dir, name) ?? 'missing';
  }
  return { dir, node22, versions };
}
