import { useLogout } from '../../src';

export function LogoutButton() {
  const logout = useLogout();
  return (
    <button type="button" className="secondary" onClick={() => logout.mutate()} disabled={logout.isPending}>
      {logout.isPending ? 'Signing out…' : 'Sign out'}
    </button>
  );
}
