import type Database from 'better-sqlite3';

/** Prepared statements of one SQLite connection, compiled once per SQL text (scoring runs several per petition). */
export function preparedStatements(db: Database.Database): (text: string) => Database.Statement {
  const statements = new Map<string, Database.Statement>();
  return (text) => {
    let st = statements.get(text);
    if (!st) {
      st = db.prepare(text);
      statements.set(text, st);
    }
    return st;
  };
}

