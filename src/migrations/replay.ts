import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, normalize, sep } from 'node:path';
import { SchemaModel } from '../analysis/schema.js';
import { parseSql, type Statement } from '../sql/parser.js';
import { SourceFile } from '../sql/source.js';
import { detectFileLayout, splitSections, type LayoutSetting } from './layout.js';
import { compareIds } from './migration-ids.js';

/** A migration's place in its history: the directory that holds the history, and its sort key. */
export interface HistoryPlace {
  root: string;
  key: string;
}

/** Repeatable Flyway migrations run after every versioned one. */
const AFTER_VERSIONED = '\uffff';
const SQL_FILE = /\.sql$/i;

/**
 * Where a migration file's up part stands in its history, or undefined when the file is a down
 * part. Files no layout recognises are ordered by name within their directory.
 */
export function historyPlace(file: string, layout: LayoutSetting): HistoryPlace | undefined {
  // detectFileLayout remembers its answer per path: asking again is cheap.
  const detected = detectFileLayout(file, layout);
  if (!detected) return { root: dirname(file), key: basename(file).replace(SQL_FILE, '') };
  if (detected.direction === 'down') return undefined;
  if (detected.layout === 'directory-pairs' || detected.layout === 'prisma') return { root: dirname(dirname(file)), key: detected.id };
  return { root: dirname(file), key: detected.noRollback ? AFTER_VERSIONED + detected.id : detected.id };
}

function migrationId(file: string, layout: LayoutSetting): string {
  return historyPlace(file, layout)?.key.replace(AFTER_VERSIONED, '') ?? basename(file);
}

/**
 * Groups files by migration history (a history's migrations are analysed in order, each against
 * the schema the earlier ones built), largest history first so that no thread is left with a long
 * one at the end.
 */
export function historyUnits(files: readonly string[], layout: LayoutSetting): number[][] {
  const byRoot = new Map<string, Array<{ index: number; key: string }>>();
  files.forEach((file, index) => {
    const place = historyPlace(file, layout);
    // Down parts use no model: any thread may take them.
    const root = place?.root ?? `\0${index}`;
    let unit = byRoot.get(root);
    if (!unit) byRoot.set(root, (unit = []));
    unit.push({ index, key: place?.key ?? '' });
  });
  return [...byRoot.values()]
    .map((unit) => unit.sort((a, b) => compareIds(a.key, b.key) || a.index - b.index).map((entry) => entry.index))
    .sort((a, b) => b.length - a.length);
}

/** The up parts of every SQL migration in a history directory, in the order they run. */
export function listHistory(root: string, layout: LayoutSetting): Array<{ file: string; key: string }> {
  const found: Array<{ file: string; key: string }> = [];
  const consider = (file: string) => {
    if (!SQL_FILE.test(file)) return;
    const place = historyPlace(file, layout);
    if (place && place.root === root) found.push({ file, key: place.key });
  };
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const child = childPaths(root);
  for (const entry of entries) {
    const path = child(root, entry.name);
    if (entry.isFile()) consider(path);
    else if (entry.isDirectory()) {
      for (const name of ['up.sql', 'migration.sql']) {
        const file = child(path, name);
        if (statSafe(file)) consider(file);
      }
    }
  }
  return found.sort((a, b) => compareIds(a.key, b.key) || (a.file < b.file ? -1 : 1));
}

/**
 * `join` for the entries of `root`: when `root` is already normalised (as the discovered files'
 * directories are), a plain concatenation gives the same path without join's character-by-character
 * normalisation, which listing a history of hundreds of migrations would otherwise repeat for each.
 */
function childPaths(root: string): (dir: string, name: string) => string {
  const plain = sep === '/' && !root.endsWith('/') && normalize(root) === root;
  return plain ? (dir, name) => `${dir}/${name}` : join;
}

function statSafe(path: string): boolean {
  try {
    // Most directories lack one of the names asked for: no exception for those.
    return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

interface History {
  files: string[];
  model: SchemaModel;
  /** Index of the next migration whose statements the model has not seen. */
  next: number;
  /** For revalidation: what each replayed file looked like. */
  stamps: string[];
}

/** Statements of a migration file's up part (its up section in a sections file). */
function upStatements(file: string, layout: LayoutSetting): Statement[] {
  const text = readFileSync(file, 'utf8');
  const parsed = parseSql(new SourceFile(file, text));
  // As describeFile decides: a forced sections layout, or a file no other layout recognises.
  const hasSections = layout === 'sections' || (layout === 'auto' && !detectFileLayout(file, layout));
  const sections = hasSections ? splitSections(text) : undefined;
  if (!sections) return [...parsed.statements];
  const within = (s: Statement) => s.start >= sections.up.start && s.start < sections.up.end;
  return parsed.statements.filter(within);
}

function stampOf(file: string): string {
  try {
    const stat = statSync(file);
    return `${stat.mtimeMs}:${stat.size}`;
  } catch {
    return 'missing';
  }
}

/**
 * The schema each migration in a history starts from, built by replaying the earlier migrations'
 * up parts statically in the layout's order. Migrations analysed in order share one model: the
 * analysis applies a migration's statements and `analysed` records them under its id, so a
 * directory is parsed once. Earlier migrations that are not being linted (one staged file in a
 * long history) are read and replayed on demand. Requires `loadParser()` first.
 */
export class HistoryReplay {
  private readonly histories = new Map<string, History>();
  /** The file `before` last returned a model for, and its history. */
  private pending: { file: string; history: History } | undefined;
  /** Parsed earlier migrations by file, kept when revalidating (an editor relints the same files). */
  private readonly parsed = new Map<string, { stamp: string; statements: Statement[] }>();

  /**
   * @param revalidate check that earlier files have not changed since they were replayed (for
   *   long-lived processes such as an editor's ESLint server)
   */
  constructor(
    private readonly layout: LayoutSetting,
    private readonly revalidate = false,
  ) {}

  /**
   * The model holding every migration before `file`, which the caller analyses `file` against
   * and then reports with `analysed`; undefined when `file` is not an up part of a history.
   */
  before(file: string): SchemaModel | undefined {
    const place = historyPlace(file, this.layout);
    if (!place) return undefined;
    let history = this.histories.get(place.root);
    let index = history ? history.files.indexOf(file) : -1;
    if (!history || index < 0) {
      history = { files: listHistory(place.root, this.layout).map((m) => m.file), model: new SchemaModel(), next: 0, stamps: [] };
      this.histories.set(place.root, history);
      index = history.files.indexOf(file);
      if (index < 0) return undefined;
    }
    if (index < history.next || (this.revalidate && history.stamps.some((stamp, i) => stamp !== stampOf(history.files[i]!)))) {
      history.model = new SchemaModel();
      history.next = 0;
      history.stamps = [];
    }
    for (; history.next < index; history.next++) {
      const earlier = history.files[history.next]!;
      const stamp = this.revalidate ? stampOf(earlier) : '';
      history.stamps.push(stamp);
      for (const statement of this.statementsOf(earlier, stamp)) history.model.apply(statement);
      history.model.commit(migrationId(earlier, this.layout));
    }
    this.pending = { file, history };
    return history.model;
  }

  private statementsOf(file: string, stamp: string): Statement[] {
    const cached = this.parsed.get(file);
    if (cached?.stamp === stamp) return cached.statements;
    let statements: Statement[] = [];
    try {
      statements = upStatements(file, this.layout);
    } catch {
      // An unreadable earlier migration contributes nothing; the model is a help, never a precondition.
    }
    if (this.revalidate) this.parsed.set(file, { stamp, statements });
    return statements;
  }

  /** Records that `file`'s statements were applied to the model `before` returned. */
  analysed(file: string): void {
    const history = this.pending?.file === file ? this.pending.history : undefined;
    this.pending = undefined;
    if (!history || history.files[history.next] !== file) return;
    history.model.commit(migrationId(file, this.layout));
    history.stamps.push(this.revalidate ? stampOf(file) : '');
    history.next++;
  }

  /** Forgets a history whose model may hold half a migration (the analysis failed). */
  discard(file: string): void {
    const place = historyPlace(file, this.layout);
    if (place) this.histories.delete(place.root);
  }
}
