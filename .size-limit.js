// Size budgets, min+gzip, on the whole built React entry (run `tsup` first), enforced by
// `npm test`. Issue 5 asked for 4 kB and 10 kB; the package measures 6.34 kB and 11.2 kB, and
// `npm run bench` prints that gap as a MISS. Removing every feature that can be removed (cross-tab
// sync, persistent storage, request timeouts, backoff, wake-ups, option checks...) would still
// leave about 4.5 kB, so these limits hold the size where it is until the budget is decided:
// a change that adds bytes must make room for them.
// size-limit marks every peer dependency external on its own; `ignore` adds the rest.
export default [
  {
    name: 'authloop, peers and jwt-decode external',
    path: 'dist/index.js',
    gzip: true,
    limit: '6.4 kB',
    ignore: ['jwt-decode'],
  },
  {
    name: 'authloop as an app ships it: jwt-decode and zod bundled, React and React Query external',
    path: 'dist/index.js',
    gzip: true,
    limit: '11.3 kB',
    // zod is a peer, so size-limit would keep it out: list the externals explicitly instead.
    modifyEsbuildConfig: (config) => ({ ...config, external: ['react', 'react-dom', '@tanstack/*'] }),
  },
];
