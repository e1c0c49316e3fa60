import type { ReactNode } from 'react';
import { AccountArea } from './AccountArea';
import { ServerPanel } from './ServerPanel';
import { SessionPanel } from './SessionPanel';
import './demo.css';

export interface DemoAppProps {
  /** What the story is about, in a sentence, shown under the title. */
  caption?: string;
  /** Shown above the cards, full width (the token timeline). */
  top?: ReactNode;
}

/** The whole demo page: the `<RequireAuth>` area, the session, and the fake server below. */
export function DemoApp({ caption, top }: DemoAppProps) {
  return (
    <div className="demo">
      <header className="demo-header">
        <span className="logo" aria-hidden>
          ⟳
        </span>
        <div>
          <h1>authloop</h1>
          {caption && <p className="caption">{caption}</p>}
        </div>
      </header>
      {top}
      <main className="demo-grid">
        <AccountArea />
        <SessionPanel />
      </main>
      <ServerPanel />
    </div>
  );
}
