import type { ReactNode } from 'react';
import { ServerPanel } from './ServerPanel';
import './demo.css';

export interface CapabilityPageProps {
  /** What the story is about, in a sentence, shown under the title. */
  caption?: string;
  /** The cards that show the capability. */
  children?: ReactNode;
}

/** A page for one capability: the title and caption, the story's cards, and the fake server below. */
export function CapabilityPage({ caption, children }: CapabilityPageProps) {
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
      <main className="demo-grid">{children}</main>
      <ServerPanel />
    </div>
  );
}
