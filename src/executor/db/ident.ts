/** SQL identifiers from configuration (schema and table names), quoted so any name is safe to splice. */

/** `"name"`, with embedded double quotes doubled. Rejects what Postgres cannot store in a name. */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new Error('an SQL identifier cannot be empty');
  if (name.includes('\0')) throw new Error(`an SQL identifier cannot contain a NUL character: ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"schema"."table"`. */
export function qualifiedName(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}
