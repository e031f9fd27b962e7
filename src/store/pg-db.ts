// PostgreSQL through a `pg` pool.
import pg from 'pg';
import type { Db, QueryResult, Tx } from './db.js';
import { isConnectionError, translateDbError } from './db-errors.js';
import { PgStatements } from './pg-statements.js';

// int8 (bigint) columns hold sizes and sequence numbers well below 2^53: read them as numbers.
pg.types.setTypeParser(20, (v) => Number(v));

export interface PgOptions {
  connectionString: string;
  maxConnections: number;
  /** optional schema to work in (tests isolate themselves this way) */
  schema?: string;
  /** server-side statement timeout, ms (0 or absent: none) */
  statementTimeoutMs?: number;
  /** how long to wait for a connection (pool full or server unreachable), ms */
  connectTimeoutMs?: number;
  /** how many statements each connection keeps prepared (kept-statements.ts's bound unless said) */
  keptStatements?: number;
}

export function openPostgres(options: PgOptions): Db {
  const timeout = options.statementTimeoutMs ?? 0;
  const { connectionString, given } = withoutSessionOptions(options.connectionString);
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections,
    // JIT off for Carnet's sessions: its statements are short reads and writes, and PostgreSQL's
    // JIT compiles a statement anew on every execution once its estimate passes the thresholds
    // (the history's count: ~0.5 s of compiling for a statement that runs in ~15 ms,
    // docs/PERFORMANCE.md). A setting of the session, not of the server.
    // After the URL's own options, so that these win where both set one.
    options: [...(given ? [given] : []), '-c jit=off', ...(options.schema ? [`-c search_path=${options.schema}`] : [])].join(' '),
    // The server cancels a statement past the timeout; the client also gives up a little later,
    // for a server that no longer answers at all.
    ...(timeout > 0 ? { statement_timeout: timeout, query_timeout: timeout + 2000 } : {}),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
  });
  // An idle client that errors (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});

  // Each connection's statements kept prepared (pg-statements.ts says what and why).
  const statements = new PgStatements(options.keptStatements);
  const run = async <T>(client: pg.PoolClient, sql: string, params: unknown[] | undefined, inTransaction: boolean): Promise<QueryResult<T>> => {
    try {
      const r = await statements.run(client, sql, params, inTransaction);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    } catch (e) {
      throw translateDbError(e);
    }
  };

  const script = async (client: pg.PoolClient, sql: string, inTransaction: boolean): Promise<void> => {
    try {
      await statements.script(client, sql, inTransaction);
    } catch (e) {
      throw translateDbError(e);
    }
  };

  /**
   * Runs `fn` on a connection of its own. While it is checked out, a connection that the server
   * cuts emits 'error': without a listener that would end the process. It is then destroyed on
   * release, never handed to the next request.
   */
  const withClient = async <T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (e) {
      throw translateDbError(e);
    }
    let broken: Error | undefined;
    const onError = (e: Error) => {
      broken = e;
    };
    client.on('error', onError);
    try {
      return await fn(client);
    } catch (e) {
      if (isConnectionError(e) || (e instanceof Error && (e as { reason?: string }).reason === 'database_unavailable')) {
        broken ??= e instanceof Error ? e : new Error(String(e));
      }
      throw translateDbError(e);
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  };

  return {
    kind: 'postgres',
    query: (sql, params) => withClient((client) => run(client, sql, params, false)),
    transaction: (fn) =>
      withClient(async (client) => {
        await run(client, 'BEGIN', undefined, false);
        try {
          const tx: Tx = {
            query: (sql, params) => run(client, sql, params, true),
            exec: (sql) => script(client, sql, true),
          };
          const result = await fn(tx);
          // A COMMIT that fails is never acknowledged: the caller gets the error (503 when the
          // connection was lost), whatever the server made of the transaction.
          await run(client, 'COMMIT', undefined, true);
          return result;
        } catch (e) {
          await client.query('ROLLBACK').catch(() => {});
          throw e;
        } finally {
          statements.transactionEnded(client);
        }
      }),
    exec: (sql) => withClient((client) => script(client, sql, false)),
    close: () => pool.end(),
  };
}

/**
 * The connection string without its `options` (the session settings a URL may carry, e.g.
 * `?options=-c%20synchronous_commit%3Doff`), and those options. `pg` takes a URL's options over
 * the pool's own, so a URL naming any would silently drop the store's (JIT off, the schema): they
 * are joined instead, the store's last.
 */
export function withoutSessionOptions(connectionString: string): { connectionString: string; given?: string } {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return { connectionString };
  }
  const given = url.searchParams.get('options');
  if (given === null) return { connectionString };
  url.searchParams.delete('options');
  return { connectionString: url.toString(), given: given.trim() || undefined };
}
