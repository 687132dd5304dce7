import type { File, Language, LanguageContext, NotOkParseResult, OkParseResult } from '@eslint/core';
import { SourceFile } from '../sql/source.js';
import { DEFAULT_SQL_OPTIONS, type AnalysisRequest, type SqlFileAnalysis, type SqlLanguageOptions } from './analysis.js';
import { buildAst, commentNodes, isStatementNode, visitorKeysOf, type MigrationNode, type SqlNode } from './ast.js';
import { resolveSqlLanguageOptions, validateSqlLanguageOptions } from './options.js';
import { SqlSourceCode } from './source-code.js';
import { analyseSync } from './sync-analysis.js';

export type SqlLanguageTypes = {
  LangOptions: SqlLanguageOptions;
  Code: SqlSourceCode;
  RootNode: MigrationNode;
  Node: SqlNode;
};

/** What parse() learnt about a file beyond its tree, kept for createSourceCode(). */
interface Parsed {
  analysis: SqlFileAnalysis;
  source: SourceFile;
  request: AnalysisRequest;
}

const parsedByRoot = new WeakMap<MigrationNode, Parsed>();

/**
 * `pgwarden/sql`: PostgreSQL migrations parsed by the real Postgres parser. Lines and columns are
 * 1-based, columns in UTF-16 code units: the positions `pgwarden lint` reports, unchanged.
 *
 * `parse()` runs pgwarden's whole analysis of the file (the one `pgwarden lint` runs, with the
 * file's path so layouts and rollback pairing work, every rule on) and keeps it for the rules.
 * A file that pgwarden cannot analyse at all is ESLint's parse failure; Postgres syntax errors
 * in a file whose other statements parse are problems of the `pgwarden/parse-error` rule.
 */
export class SqlLanguage implements Language<SqlLanguageTypes> {
  readonly fileType = 'text';
  readonly lineStart = 1;
  readonly columnStart = 1;
  readonly nodeTypeKey = 'type';
  readonly visitorKeys: Record<string, string[]> = { Migration: ['body'], DoStmt: ['body'] };
  readonly defaultLanguageOptions: SqlLanguageOptions = { ...DEFAULT_SQL_OPTIONS };

  validateLanguageOptions(languageOptions: SqlLanguageOptions): void {
    validateSqlLanguageOptions(languageOptions);
  }

  /** `:statement` matches every statement node. */
  matchesSelectorClass(className: string, node: SqlNode): boolean {
    return className.toLowerCase() === 'statement' && isStatementNode(node);
  }

  parse(file: File, context: LanguageContext<SqlLanguageOptions>): OkParseResult<MigrationNode> | NotOkParseResult {
    const text = typeof file.body === 'string' ? file.body : new TextDecoder().decode(file.body);
    const request: AnalysisRequest = {
      text,
      path: file.path,
      cwd: process.cwd(),
      options: resolveSqlLanguageOptions(context.languageOptions),
    };
    let analysis: SqlFileAnalysis;
    try {
      analysis = analyseSync(request);
    } catch (error) {
      return {
        ok: false,
        errors: [{ message: `pgwarden could not analyse this file: ${(error as Error).message}`, line: 1, column: 1 }],
      };
    }
    const source = new SourceFile(file.path, text);
    const ast = buildAst(text, analysis, (index) => source.positionAt(index));
    parsedByRoot.set(ast, { analysis, source, request });
    return { ok: true, ast };
  }

  createSourceCode(file: File, input: OkParseResult<MigrationNode>): SqlSourceCode {
    const parsed = parsedByRoot.get(input.ast);
    if (!parsed) throw new Error('pgwarden/sql: createSourceCode() needs the result of this language\'s parse().');
    const text = parsed.source.text;
    return new SqlSourceCode({
      text,
      ast: input.ast,
      comments: commentNodes(parsed.analysis.comments, (index) => parsed.source.positionAt(index)),
      visitorKeys: visitorKeysOf(input.ast),
      analysis: parsed.analysis,
      request: parsed.request,
    });
  }
}
