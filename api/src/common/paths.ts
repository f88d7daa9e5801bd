import fs from 'node:fs';
import path from 'node:path';

/** The repository root, found from this file whether it runs from `api/src` or `dist/api/src`. */
export const projectRoot: string = (() => {
  let dir = __dirname;
  while (dir !== path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (
      fs.existsSync(manifest) &&
      JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'rede-hub'
    ) {
      return dir;
    }
    dir = path.dirname(dir);
  }
  return process.cwd();
})();
