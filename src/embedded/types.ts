/** Plain types shared by the embedded-SQL modules; nothing here needs the `typescript` package. */

export type Direction = 'up' | 'down';

export interface MigrationFunction {
  /** Range of the function in the TS/JS file. */
  start: number;
  end: number;
  /** Its body holds no statement. */
  empty: boolean;
}

/** A JS comment that pgwarden reads, rewritten as the SQL comment it would be in a .sql file. */
export interface EmbeddedComment {
  /** The SQL comment: `// x` becomes `-- x`; block comments stay as they are. Same length as the source. */
  sql: string;
  start: number;
  end: number;
  /** The parts of the migration it belongs to. */
  directions: Direction[];
}

/** `typescript` could not be loaded: an optional peer dependency, needed only for TS/JS migrations. */
export class MissingTypeScriptError extends Error {
  constructor() {
    super(
      'Reading SQL in TypeScript/JavaScript migrations needs the "typescript" package, which is not installed: ' +
        'npm install --save-dev typescript',
    );
  }
}
