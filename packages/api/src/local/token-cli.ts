import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SCOPES } from '../plugins/authentication.js';
import { loadOrCreateDevSigningKey, mintDevToken } from './dev-keys.js';
import { localDataDir } from './paths.js';

/** `npm run token -- --scopes patients:read,payments:read [--subject alice] [--ttl 3600]` */
const { values } = parseArgs({
  options: {
    scopes: { type: 'string', default: SCOPES.join(',') },
    subject: { type: 'string', default: 'local-developer' },
    ttl: { type: 'string', default: '3600' },
  },
});
const scopes = (values.scopes ?? '')
  .split(',')
  .map((scope) => scope.trim())
  .filter(Boolean);
const unknown = scopes.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
const ttl = Number(values.ttl);
if (unknown.length > 0 || !Number.isInteger(ttl) || ttl < 1 || ttl > 86_400) {
  console.error(
    unknown.length > 0
      ? `unknown scope ${unknown.join(', ')}; choose from ${SCOPES.join(', ')}`
      : `--ttl must be whole seconds between 1 and 86400, got '${values.ttl}'`,
  );
  process.exit(2);
}
const key = await loadOrCreateDevSigningKey(join(localDataDir(), 'dev-signing-key.json'));
console.log(await mintDevToken(key, { scopes, subject: values.subject as string, lifetimeSeconds: ttl }));
