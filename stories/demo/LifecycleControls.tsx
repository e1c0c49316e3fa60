import { useDemoWorld } from './DemoContext';

/** Buttons that make the fake server misbehave, to watch the client cope. */
export function LifecycleControls() {
  const { control } = useDemoWorld();
  return (
    <div className="lifecycle-controls">
      <button type="button" onClick={() => control.failNext('refresh', 1, 'network')}>
        Drop the next refresh (network error)
      </button>
      <button type="button" onClick={() => control.revokeAll()}>
        Revoke every session on the server
      </button>
    </div>
  );
}
