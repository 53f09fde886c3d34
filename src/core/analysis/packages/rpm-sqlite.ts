/**
 * rpm ≥ 4.16's `rpmdb.sqlite`: table `Packages (hnum INTEGER PRIMARY KEY,
 * blob BLOB)`, one header per row (rpm's lib/backend/sqlite.c). Read with
 * sql.js (SQLite compiled to WebAssembly), loaded only when an image has such
 * a database: the module is imported dynamically and its 0.7 MB WebAssembly
 * binary is handed over by the caller (a worker fetches it from the app's
 * assets, Node reads it from node_modules), so core code stays free of
 * bundler and file-system specifics.
 */
import { InspectError, InspectErrorCode } from '../../errors';

/** Reads the header blobs of an rpmdb.sqlite database. */
export type RpmSqliteReader = (database: Uint8Array) => Promise<Uint8Array[]>;

/** The slice of sql.js's API used here. */
interface SqlJsStatement {
  step(): boolean;
  get(): unknown[];
  free(): void;
}
interface SqlJsDatabase {
  prepare(sql: string): SqlJsStatement;
  close(): void;
}
interface SqlJsStatic {
  Database: new (data: Uint8Array) => SqlJsDatabase;
}
type InitSqlJs = (config: { wasmBinary: ArrayBuffer | Uint8Array }) => Promise<SqlJsStatic>;

/** SQLite's file header. */
const SQLITE_MAGIC = 'SQLite format 3\u0000';

/** True when the bytes start with SQLite's file header. */
export function isSqlite(bytes: Uint8Array): boolean {
  if (bytes.length < 16) return false;
  return String.fromCharCode(...bytes.subarray(0, 16)) === SQLITE_MAGIC;
}

/**
 * A reader backed by sql.js. `loadWasm` gives sql.js's `sql-wasm.wasm`
 * bytes; it and the module are loaded on the first call only.
 */
export function sqlJsReader(loadWasm: () => Promise<ArrayBuffer | Uint8Array>): RpmSqliteReader {
  let sql: Promise<SqlJsStatic> | null = null;
  return async (database) => {
    if (!isSqlite(database)) throw new InspectError(InspectErrorCode.UnknownFormat, 'Not an SQLite database');
    sql ??= (async () => {
      const module = (await import('sql.js')) as unknown as { default: InitSqlJs };
      return module.default({ wasmBinary: await loadWasm() });
    })();
    const { Database } = await sql;
    let db: SqlJsDatabase | null = null;
    try {
      db = new Database(database);
      const statement = db.prepare('SELECT blob FROM Packages ORDER BY hnum');
      const blobs: Uint8Array[] = [];
      while (statement.step()) {
        const [blob] = statement.get();
        if (blob instanceof Uint8Array) blobs.push(blob);
      }
      statement.free();
      return blobs;
    } catch (error) {
      throw new InspectError(InspectErrorCode.UnknownFormat, `Not an rpm database: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      db?.close();
    }
  };
}
