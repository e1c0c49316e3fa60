/** Debian's Chromium: test tools cannot download a browser of their own on these machines. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags that let it run as root in a container with no network but the loopback: without
 * the background-networking ones it keeps trying to reach Google's hosts.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
