import type { Clock } from './clock';
import { openTabChannel, type TabChannel, type TabMessage } from './tabChannel';

export interface TabLinkOptions<TUser> {
  /** The channel's name. */
  name: string;
  /** This tab's id on the channel. */
  tab: string;
  clock: Clock;
  crossTab: boolean;
  /** How long the other tabs have to answer a hello. */
  introductionMs: number;
  onMessage(message: TabMessage<TUser>, sender: string): void;
}

/**
 * When a client's tab channel is open: while the client is mounted, and while a refresh of
 * its own runs (mounted or not: an unmounted client's refresh must hear the others and be
 * heard). Knows when the other tabs have had time to answer the channel's hello.
 */
export function createTabLink<TUser>(options: TabLinkOptions<TUser>) {
  const { clock } = options;
  let channel: TabChannel<TUser> | null = null;
  let mounted = false;
  let joined = 0;
  let introduced: Promise<void> = Promise.resolve();
  let introduce = () => {};

  function connect() {
    if (channel || !options.crossTab) return;
    channel = openTabChannel(options.name, options.tab, options.onMessage);
    if (!channel) return;
    // Until the others have had time to answer its hello, a tab cannot know it is alone, nor
    // that another holds a newer session or is refreshing this one already.
    let timer: unknown = null;
    introduced = new Promise<void>((resolve) => {
      introduce = () => {
        clock.clearTimeout(timer);
        resolve();
      };
    });
    timer = clock.setTimeout(introduce, options.introductionMs);
  }

  function disconnect() {
    if (mounted || joined > 0) return;
    channel?.close();
    channel = null;
    introduce();
  }

  return {
    mount() {
      mounted = true;
      connect();
    },
    unmount() {
      mounted = false;
      disconnect();
    },
    /** Keeps the channel open for a refresh; the returned function lets go. */
    join(): () => void {
      joined += 1;
      connect();
      let left = false;
      return () => {
        if (left) return;
        left = true;
        joined -= 1;
        disconnect();
      };
    },
    connected: () => channel !== null,
    hasPeers: () => channel?.hasPeers() ?? false,
    /** Settles once the other tabs have had `introductionMs` to answer this channel's hello (at once for one open longer). */
    introduced: () => introduced,
    /** Posts on the channel; with it closed, a session or an end still goes, through a channel opened for that message. */
    post(message: TabMessage<TUser>) {
      if (channel) return channel.post(message);
      if (!options.crossTab || (message.type !== 'session' && message.type !== 'ended')) return;
      const once = openTabChannel<TUser>(options.name, options.tab, () => {}, false);
      once?.post(message);
      once?.close();
    },
  };
}
