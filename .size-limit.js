// Size budgets of issue 5, min+gzip, on the built React entry (run `tsup` first).
// size-limit marks every peer dependency external on its own; `ignore` adds the rest.
export default [
  {
    name: 'authloop, peers and jwt-decode external',
    path: 'dist/index.js',
    gzip: true,
    limit: '4 kB',
    ignore: ['jwt-decode'],
  },
  {
    name: 'authloop as an app ships it: jwt-decode and zod bundled, React and React Query external',
    path: 'dist/index.js',
    gzip: true,
    limit: '10 kB',
    // zod is a peer, so size-limit would keep it out: list the externals explicitly instead.
    modifyEsbuildConfig: (config) => ({ ...config, external: ['react', 'react-dom', '@tanstack/*'] }),
  },
];
