// Size guards, min+gzip, on the built React entry (run `tsup` first). Issue 5 asks for 4 kB and
// 10 kB; the package is at about 6.8 kB and 11.9 kB today (`npm run bench` shows the gap as a
// MISS). Until the code is cut down to the targets, these limits stop it from growing further.
// size-limit marks every peer dependency external on its own; `ignore` adds the rest.
export default [
  {
    name: 'authloop, peers and jwt-decode external',
    path: 'dist/index.js',
    gzip: true,
    limit: '7 kB',
    ignore: ['jwt-decode'],
  },
  {
    name: 'authloop as an app ships it: jwt-decode and zod bundled, React and React Query external',
    path: 'dist/index.js',
    gzip: true,
    limit: '12.1 kB',
    // zod is a peer, so size-limit would keep it out: list the externals explicitly instead.
    modifyEsbuildConfig: (config) => ({ ...config, external: ['react', 'react-dom', '@tanstack/*'] }),
  },
];
