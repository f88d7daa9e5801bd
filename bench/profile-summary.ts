/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by package and by function,
 * and inclusive time by function (optionally only functions whose name or file match a regular
 * expression). Percentages are of the profile's whole sampled time.
 *
 *   node dist/bench/profile-summary.js CPU.….cpuprofile ['rows|selection|armor']
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, 'dist/');
  return `${functionName || '(anonymous)'} ${file}:${lineNumber}`;
}

function packageOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  const match = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (match) {
    return match[1]!;
  }
  if (url.includes('/dist/')) {
    return url.replace(/.*\/dist\//, 'dist/');
  }
  return url || `(${functionName || 'native'})`;
}

function top(map: Map<string, number>, total: number, count: number): string {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, time]) => `${((time / total) * 100).toFixed(1).padStart(5)} %  ${name}`)
    .join('\n');
}

function add(map: Map<string, number>, name: string, time: number): void {
  map.set(name, (map.get(name) ?? 0) + time);
}

function main(): void {
  const [file, filter] = process.argv.slice(2);
  if (!file) {
    throw new Error('usage: profile-summary <file.cpuprofile> [regexp]');
  }
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
      parent.set(child, node.id);
    }
  }
  const selfById = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    selfById.set(id, (selfById.get(id) ?? 0) + delta);
    total += delta;
  });
  const selfByPackage = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, time] of selfById) {
    const node = byId.get(id)!;
    add(selfByPackage, packageOf(node), time);
    add(selfByFunction, label(node), time);
    const seen = new Set<string>();
    for (
      let current: number | undefined = id;
      current !== undefined;
      current = parent.get(current)
    ) {
      const name = label(byId.get(current)!);
      if (!seen.has(name)) {
        seen.add(name);
        add(inclusive, name, time);
      }
    }
  }
  const pattern = filter ? new RegExp(filter) : null;
  const shown = new Map([...inclusive].filter(([name]) => !pattern || pattern.test(name)));
  process.stdout.write(
    [
      `sampled ${(total / 1000).toFixed(0)} ms`,
      '--- self time by package',
      top(selfByPackage, total, 25),
      '--- self time by function',
      top(selfByFunction, total, 30),
      `--- inclusive time${filter ? ` (matching /${filter}/)` : ''}`,
      top(shown, total, 60),
      '',
    ].join('\n'),
  );
}

main();
