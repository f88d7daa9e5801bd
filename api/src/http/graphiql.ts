import express, { type Router } from 'express';
import fs from 'node:fs';
import path from 'node:path';

/** A file inside an installed package, even one its `exports` map does not list. */
function packageFile(name: string, file: string): string {
  let dir = path.dirname(require.resolve(name));
  while (
    !fs.existsSync(path.join(dir, 'package.json')) ||
    path.basename(dir) !== name.split('/').pop()
  ) {
    dir = path.dirname(dir);
  }
  return path.join(dir, file);
}

const assets = {
  'react.js': packageFile('react', 'umd/react.production.min.js'),
  'react-dom.js': packageFile('react-dom', 'umd/react-dom.production.min.js'),
  'graphiql.js': packageFile('graphiql', 'graphiql.min.js'),
  'graphiql.css': packageFile('graphiql', 'graphiql.min.css'),
} as const;

const defaultQuery = `# Rede Hub — try a first query (Ctrl+Enter runs it).
query MunicipalitiesOfRS {
  municipalities(filter: { uf: ["RS"] }, orderBy: [NAME_ASC], first: 10) {
    totalCount
    edges {
      node { ibgeCode name population state { uf name } healthRegion { code name } }
    }
  }
}
`;

/** The GraphiQL page: bundled from npm and served by the API itself, so it works offline. */
export function graphiqlPage(endpoint: string): string {
  return `<!doctype html>
<html lang="pt-BR">
<head>
  <meta charset="utf-8" />
  <title>Rede Hub — GraphiQL</title>
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <link rel="stylesheet" href="/graphiql/graphiql.css" />
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Carregando GraphiQL…</div>
  <script src="/graphiql/react.js"></script>
  <script src="/graphiql/react-dom.js"></script>
  <script src="/graphiql/graphiql.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: ${JSON.stringify(endpoint)} });
    const root = ReactDOM.createRoot(document.getElementById('graphiql'));
    root.render(React.createElement(GraphiQL, {
      fetcher,
      defaultQuery: ${JSON.stringify(defaultQuery)},
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: true,
    }));
  </script>
</body>
</html>`;
}

export function graphiqlAssets(): Router {
  const router = express.Router();
  for (const [name, file] of Object.entries(assets)) {
    router.get(`/graphiql/${name}`, (_req, res) => {
      res.type(path.extname(name)).set('Cache-Control', 'public, max-age=86400').sendFile(file);
    });
  }
  return router;
}
