// The same app with the README quick start's imports added (see zodApp.js).
export { parsed } from './zodApp.js';
export { AuthProvider, useLogin, useLogout, useSession, isInvalidCredentialsError } from '../../dist/index.js';
