// The bearer token for the server under test: given directly, or printed by a shell command.
import { exec } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(exec);

/** `Bearer <token>` or undefined; the token command runs once, its stdout trimmed. */
export async function authorizationHeader(opts: { bearerToken?: string; tokenCommand?: string }): Promise<string | undefined> {
  if (opts.bearerToken) return `Bearer ${opts.bearerToken}`;
  if (!opts.tokenCommand) return undefined;
  const { stdout } = await run(opts.tokenCommand, { timeout: 60_000, maxBuffer: 1024 * 1024 });
  const token = stdout.trim();
  if (!token) throw new Error('tokenCommand printed no token');
  return `Bearer ${token}`;
}
