import type { ParsedSql, ParseError, Statement } from '../sql/parser.js';
import { SourceFile } from '../sql/source.js';
import type { MigrationInfo } from '../migrations/types.js';
import { defaultSeverity, raisesRisk, type FindingInput, type Rule, type RuleContext, type RuleMeta } from './rule.js';
import { effectiveOptions, type RuleOptions } from './rule-options.js';
import type { Finding, SeveritySetting } from './finding.js';
import { readDirectives, type Directive } from './directives.js';
import { readHeader, type MigrationHeader } from './headers.js';
import { maxRisk, riskRank, type Risk } from './risk.js';
import type { LockMode } from './locks.js';
import { AnalysisState } from './state.js';
import { CURRENT, type SchemaModel } from './schema.js';
import { implicitBlocks, runnerWrapsFile, type TransactionMode } from './transactions.js';
import { applyTableSizes } from '../stats/sizes.js';
import type { StatsSnapshot } from '../stats/schema.js';

/** Rules whose findings the engine itself produces, after the others have run. */
export const ENGINE_RULES = {
  declaredRisk: 'declared-risk-mismatch',
  invalidDirective: 'invalid-directive',
  unusedDirective: 'unused-directive',
} as const;

export interface AnalyzeOptions {
  rules: readonly Rule[];
  postgresVersion: number;
  transaction: TransactionMode;
  /** Configured severities by rule id; rules not named use their default. */
  severities?: ReadonlyMap<string, SeveritySetting>;
  /** Configured options by rule id, already validated against each rule's schema; defaults fill in the rest. */
  ruleOptions?: ReadonlyMap<string, RuleOptions>;
  migration?: MigrationInfo;
  /** Analyse only the statements in this UTF-16 range (one section of a sections-layout file). */
  part?: { start: number; end: number };
  /** Objects known from earlier migrations. */
  schema?: SchemaModel;
  /**
   * Findings made outside the SQL, in the analysed text's coordinates: the dynamic parts of SQL
   * embedded in TS/JS migrations. Reported with their rule's severity and risk, and suppressed by
   * directives like the rules' findings.
   */
  external?: readonly ExternalFinding[];
  /** Table sizes: locking findings on small tables move down a level, on large ones up (see applyTableSizes). */
  stats?: StatsSnapshot;
}

export interface ExternalFinding {
  ruleId: string;
  message: string;
  start: number;
  end: number;
  /** Overrides the rule's risk, help and lock for this finding. */
  risk?: Risk;
  help?: string;
  lock?: LockMode;
  source?: 'trace';
}

export interface FileAnalysis {
  source: SourceFile;
  statements: readonly Statement[];
  findings: Finding[];
  suppressed: Finding[];
  parseErrors: ParseError[];
  risk: Risk;
  declaredRisk: Risk | null;
  header: MigrationHeader;
  /** The runner wraps this file in a transaction. */
  runnerTransaction: boolean;
}

export function analyze(parsed: ParsedSql, options: AnalyzeOptions): FileAnalysis {
  const part = options.part;
  const within = (start: number) => !part || (start >= part.start && start < part.end);
  const statements = part ? parsed.statements.filter((s) => within(s.start)) : parsed.statements;
  const comments = part ? parsed.comments.filter((c) => within(c.start)) : parsed.comments;
  const parseErrors = part ? parsed.errors.filter((e) => within(e.index)) : parsed.errors;

  const header = readHeader(comments, parsed.source.text);
  const directives = readDirectives(comments);
  const noTransaction = directives.some((d) => d.kind === 'no-transaction');
  const runnerTransaction = runnerWrapsFile(statements, options.transaction, noTransaction, options.postgresVersion);
  // Whatever a caller replayed into the model before, this file's statements are "created here".
  options.schema?.setMigration(CURRENT);
  const state = new AnalysisState({
    postgresVersion: options.postgresVersion,
    runnerTransaction,
    implicitBlocks: implicitBlocks(statements, options.transaction, noTransaction),
    ...(options.schema ? { schema: options.schema } : {}),
  });

  const severityOf = (rule: Rule): SeveritySetting => options.severities?.get(rule.meta.id) || ruleShape(rule).severity;
  const isActive = (rule: Rule) => severityOf(rule) !== 'off' && ruleShape(rule).appliesTo(options.postgresVersion);

  const findings: Finding[] = [];
  const handlers = new Map<string, Array<(node: never, statement: Statement) => void>>();
  const everyStatement: Array<(statement: Statement) => void> = [];
  const atEnd: Array<() => void> = [];
  const present = new Set<string>();
  for (const statement of statements) present.add(statement.type);
  const fileContext: FileContext = {
    state,
    postgresVersion: options.postgresVersion,
    source: parsed.source,
    statements,
    migration: options.migration,
    header,
    findings,
  };

  for (let r = 0; r < options.rules.length; r++) {
    const rule = options.rules[r]!;
    const shape = ruleShape(rule);
    const severity = options.severities?.get(rule.meta.id) || shape.severity;
    if (severity === 'off' || !shape.appliesTo(options.postgresVersion)) continue;
    // Most rules handle a few statement types; a file without them never instantiates the rule.
    if (!shape.everyFile && !handlesAny(shape.keys, present)) continue;
    const meta = rule.meta;
    const context = new EngineContext(fileContext, meta, severity, effectiveOptions(meta, options.ruleOptions?.get(meta.id)));
    const visitors = rule.create(context) as Record<string, ((...args: never[]) => void) | undefined>;
    for (let k = 0; k < shape.keys.length; k++) {
      const key = shape.keys[k]!;
      const handler = visitors[key];
      if (!handler) continue;
      if (key === 'statement') everyStatement.push(handler as (statement: Statement) => void);
      else if (key === 'end') atEnd.push(handler as () => void);
      else {
        let list = handlers.get(key);
        if (!list) handlers.set(key, (list = []));
        list.push(handler as (node: never, statement: Statement) => void);
      }
    }
  }

  // Indexed loops here and in the rule loop above: a lint run is too short for V8 to optimise
  // this code, and unoptimised for…of allocates an iterator result per element.
  for (let s = 0; s < statements.length; s++) {
    const statement = statements[s]!;
    state.enter(statement);
    const typed = handlers.get(statement.type);
    if (typed) for (let h = 0; h < typed.length; h++) typed[h]!(statement.ast as never, statement);
    for (let h = 0; h < everyStatement.length; h++) everyStatement[h]!(statement);
    state.apply(statement);
  }
  for (const handler of atEnd) handler();

  const engineFinding = engineReporter(options, severityOf, findings);
  if (options.external) {
    for (const external of options.external) {
      if (!within(external.start)) continue;
      const statement = statements.find((s) => !s.parent && s.start <= external.start && external.start < s.end);
      engineFinding(external.ruleId, { ...external, ...(statement ? { statementIndex: statement.index } : {}) });
    }
  }
  applyDirectives(directives, statements, parsed.statements, findings, options.rules, isActive, engineFinding);
  if (options.stats) {
    applyTableSizes(findings, {
      stats: options.stats,
      statements: parsed.statements,
      postgresVersion: options.postgresVersion,
      ...(options.schema ? { schema: options.schema } : {}),
    });
  }

  const open = findings.filter((f) => !f.suppressed);
  let risk: Risk = parseErrors.length ? 'high' : 'low';
  for (const finding of open) if (raisesRisk(finding.tags)) risk = maxRisk(risk, finding.risk);

  if (header.declaredRisk && riskRank(header.declaredRisk) < riskRank(risk)) {
    engineFinding(ENGINE_RULES.declaredRisk, {
      message: `Declared risk is ${header.declaredRisk} but the analysis finds ${risk}.`,
      help: `Fix the statements that raise the risk, or declare "${risk}" so reviewers see it.`,
      start: header.riskStart,
      end: header.riskEnd,
    });
  }
  for (const problem of header.problems) {
    engineFinding(ENGINE_RULES.declaredRisk, { message: problem.message, start: problem.start, end: problem.end });
  }

  const byPosition = (a: Finding, b: Finding) =>
    a.start - b.start || a.end - b.end || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
  return {
    source: parsed.source,
    statements,
    findings: findings.filter((f) => !f.suppressed).sort(byPosition),
    suppressed: findings.filter((f) => f.suppressed).sort(byPosition),
    parseErrors,
    risk,
    declaredRisk: header.declaredRisk,
    header,
    runnerTransaction,
  };
}

/** What every rule of one file's analysis shares, and where their findings go. */
interface FileContext {
  state: AnalysisState;
  postgresVersion: number;
  source: SourceFile;
  statements: readonly Statement[];
  migration: MigrationInfo | undefined;
  header: MigrationHeader;
  findings: Finding[];
}

/**
 * One rule's context: a class, so the per-file, per-rule cost is one object rather than an object
 * and a closure. Its fields are declared, not defined, so that constructing one only assigns them.
 */
class EngineContext implements RuleContext {
  declare readonly state: AnalysisState;
  declare readonly postgresVersion: number;
  declare readonly source: SourceFile;
  declare readonly statements: readonly Statement[];
  declare readonly migration: MigrationInfo | undefined;
  declare readonly header: MigrationHeader;
  declare readonly options: RuleOptions;
  declare private readonly file: FileContext;
  declare private readonly meta: RuleMeta;
  declare private readonly severity: Finding['severity'];

  constructor(file: FileContext, meta: RuleMeta, severity: Finding['severity'], options: RuleOptions) {
    this.file = file;
    this.meta = meta;
    this.severity = severity;
    this.options = options;
    this.state = file.state;
    this.postgresVersion = file.postgresVersion;
    this.source = file.source;
    this.statements = file.statements;
    this.migration = file.migration;
    this.header = file.header;
  }

  report(input: FindingInput): void {
    const meta = this.meta;
    const statement = input.statement;
    const finding: Finding = {
      ruleId: meta.id,
      risk: input.risk ?? meta.risk,
      severity: this.severity,
      message: input.message,
      help: input.help ?? meta.help,
      start: input.start ?? statement?.start ?? 0,
      end: input.end ?? statement?.end ?? 0,
      tags: [...meta.tags],
    };
    const lock = input.lock ?? meta.lock;
    if (lock) finding.lock = lock;
    if (input.relation) finding.relation = input.relation;
    if (input.fix) finding.fix = input.fix;
    if (statement) finding.statementIndex = statement.index;
    this.file.findings.push(finding);
  }
}

/** What the engine asks of a rule for every file, worked out once. */
interface RuleShape {
  /** The visitor names the rule returns. */
  keys: readonly string[];
  /** It has a `statement` or `end` visitor, so it runs on every file. */
  everyFile: boolean;
  /** Its severity when the configuration sets none. */
  severity: SeveritySetting;
  appliesTo(postgresVersion: number): boolean;
}

const shapeCache = new WeakMap<Rule, RuleShape>();

/**
 * A rule's shape from its meta, and the visitor names it returns, learnt once by creating it
 * against an empty file. Rules must return the same keys whatever the context (their handlers may
 * differ).
 */
function ruleShape(rule: Rule): RuleShape {
  let shape = shapeCache.get(rule);
  if (!shape) {
    const source = new SourceFile('', '');
    const keys = Object.keys(
      rule.create({
        state: new AnalysisState({ postgresVersion: 16, runnerTransaction: false }),
        postgresVersion: 16,
        source,
        statements: [],
        migration: undefined,
        header: readHeader([], ''),
        options: effectiveOptions(rule.meta, undefined),
        report: () => undefined,
      }),
    );
    const bounds = rule.meta.postgres;
    shape = {
      keys,
      everyFile: keys.includes('statement') || keys.includes('end'),
      severity: rule.meta.optIn ? 'off' : defaultSeverity(rule.meta),
      appliesTo: (version) =>
        !bounds || ((bounds.min === undefined || version >= bounds.min) && (bounds.max === undefined || version <= bounds.max)),
    };
    shapeCache.set(rule, shape);
  }
  return shape;
}

function handlesAny(keys: readonly string[], present: ReadonlySet<string>): boolean {
  for (let k = 0; k < keys.length; k++) if (present.has(keys[k]!)) return true;
  return false;
}

type EngineReporter = (
  ruleId: string,
  input: {
    message: string;
    help?: string;
    start: number;
    end: number;
    statementIndex?: number;
    risk?: Risk;
    lock?: LockMode;
    source?: 'trace';
  },
) => void;

function engineReporter(
  options: AnalyzeOptions,
  severityOf: (rule: Rule) => SeveritySetting,
  findings: Finding[],
): EngineReporter {
  return (ruleId, input) => {
    const rule = options.rules.find((r) => r.meta.id === ruleId);
    if (!rule) return;
    const severity = severityOf(rule);
    if (severity === 'off') return;
    const lock = input.lock ?? rule.meta.lock;
    findings.push({
      ruleId,
      risk: input.risk ?? rule.meta.risk,
      severity,
      message: input.message,
      help: input.help ?? rule.meta.help,
      start: input.start,
      end: input.end,
      tags: [...rule.meta.tags],
      ...(lock ? { lock } : {}),
      ...(input.statementIndex !== undefined ? { statementIndex: input.statementIndex } : {}),
      ...(input.source ? { source: input.source } : {}),
    });
  };
}

/** Marks suppressed findings, then reports directives that name unknown rules or suppress nothing. */
function applyDirectives(
  directives: readonly Directive[],
  statements: readonly Statement[],
  byIndex: readonly Statement[],
  findings: Finding[],
  rules: readonly Rule[],
  isActive: (rule: Rule) => boolean,
  report: EngineReporter,
): void {
  const disabling = directives.filter((d) => d.kind !== 'no-transaction');
  if (!disabling.length) return;
  const ruleIds = new Set(rules.map((r) => r.meta.id));
  // Whether a rehearsal finding is there to suppress depends on the database it ran on: a
  // directive naming a trace rule is never reported as unused.
  const activeIds = new Set(rules.filter((r) => isActive(r) && r.meta.source !== 'trace').map((r) => r.meta.id));
  const topLevel = statements.filter((s) => !s.parent);
  const targets = disabling.map((d) =>
    d.kind === 'disable-next-statement' ? topLevel.find((s) => s.start >= d.end) : undefined,
  );
  const used = disabling.map(() => new Set<string>());

  for (const finding of findings) {
    const statement = finding.statementIndex === undefined ? undefined : byIndex[finding.statementIndex];
    const top = statement?.parent ?? statement;
    disabling.forEach((directive, i) => {
      if (finding.suppressed) return;
      if (directive.rules.length && !directive.rules.includes(finding.ruleId)) return;
      const applies =
        directive.kind === 'disable-next-statement'
          ? !!top && targets[i] === top
          : !top || top.start >= directive.end;
      if (!applies) return;
      finding.suppressed = { reason: directive.reason, start: directive.start, end: directive.end };
      used[i]!.add(directive.rules.length ? finding.ruleId : '*');
    });
  }

  disabling.forEach((directive, i) => {
    const name = `pgwarden-${directive.kind}`;
    const at = { start: directive.start, end: directive.end };
    for (const id of directive.rules) {
      if (!ruleIds.has(id)) {
        report(ENGINE_RULES.invalidDirective, { message: `${name} names unknown rule "${id}".`, ...at });
      } else if (!used[i]!.has(id) && activeIds.has(id)) {
        // A rule that is off (or outside its Postgres versions) here may be on elsewhere: not "unused".
        report(ENGINE_RULES.unusedDirective, { message: `${name} ${id}: nothing to suppress here.`, ...at });
      }
    }
    if (!directive.rules.length && !used[i]!.size) {
      report(ENGINE_RULES.unusedDirective, { message: `${name}: nothing to suppress here.`, ...at });
    }
  });
}
