// PostgreSQL through a `pg` pool.
import pg from 'pg';
import { PREPARED_MARK, type Db, type QueryResult, type Tx } from './db.js';
import { isConnectionError, translateDbError } from './db-errors.js';

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
  /**
   * name the statements marked `prepared` (db.ts), so that each connection prepares them once
   * (default false: PostgreSQL kept re-planning the page statement, docs/PERFORMANCE.md run 6);
   * never behind a pooler that does not keep them (PgBouncer in transaction mode)
   */
  preparedStatements?: boolean;
}

/**
 * At most this many texts are named: each is kept by every connection that ran it (with its
 * plan), and a text built from many shapes of search must not grow that without bound; the texts
 * past it run unnamed, as before.
 */
const MAX_NAMED_TEXTS = 200;

/** Names statements by their text, the same name for the same text on every connection of the pool. */
function statementNames(enabled: boolean): (sql: string) => string | undefined {
  const names = new Map<string, string>();
  return (sql) => {
    if (!enabled || !sql.startsWith(PREPARED_MARK)) return undefined;
    let name = names.get(sql);
    if (name === undefined && names.size < MAX_NAMED_TEXTS) names.set(sql, (name = `carnet_${names.size + 1}`));
    return name;
  };
}

export function openPostgres(options: PgOptions): Db {
  const timeout = options.statementTimeoutMs ?? 0;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections,
    options: options.schema ? `-c search_path=${options.schema}` : undefined,
    // The server cancels a statement past the timeout; the client also gives up a little later,
    // for a server that no longer answers at all.
    ...(timeout > 0 ? { statement_timeout: timeout, query_timeout: timeout + 2000 } : {}),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
  });
  // An idle client that errors (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});

  const nameOf = statementNames(options.preparedStatements ?? false);
  const run = async <T>(client: pg.PoolClient, sql: string, params?: unknown[]): Promise<QueryResult<T>> => {
    try {
      const name = nameOf(sql);
      const r = name !== undefined ? await client.query({ name, text: sql, values: params ?? [] }) : await client.query(sql, params as unknown[]);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
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
    query: (sql, params) => withClient((client) => run(client, sql, params)),
    transaction: (fn) =>
      withClient(async (client) => {
        await run(client, 'BEGIN');
        try {
          const tx: Tx = {
            query: (sql, params) => run(client, sql, params),
            exec: async (sql) => {
              await run(client, sql);
            },
          };
          const result = await fn(tx);
          // A COMMIT that fails is never acknowledged: the caller gets the error (503 when the
          // connection was lost), whatever the server made of the transaction.
          await run(client, 'COMMIT');
          return result;
        } catch (e) {
          await client.query('ROLLBACK').catch(() => {});
          throw e;
        }
      }),
    exec: (sql) =>
      withClient(async (client) => {
        await run(client, sql);
      }),
    close: () => pool.end(),
  };
}
