import type { FileProblem, TraversalStep } from '@eslint/core';
import { TextSourceCodeBase, VisitNodeStep, type Directive } from '@eslint/plugin-kit';
import type { RuleOptions } from '../analysis/rule-options.js';
import type { AnalysisRequest, FindingData, ParseErrorData, SqlFileAnalysis, SqlLanguageOptions } from './analysis.js';
import { isCommentNode, type CommentNode, type MigrationNode, type SqlNode, type SqlSyntaxElement, type StatementNode } from './ast.js';
import { analyseSync } from './sync-analysis.js';
import { disableDirectives, inlineConfigs, isInlineConfigComment, type InlineConfig } from './directives.js';

/** Line breaks as pgwarden (and ESLint for JavaScript) count them. */
import { LINE_BREAK } from '../sql/source.js';

export interface SqlSourceCodeInit {
  text: string;
  ast: MigrationNode;
  comments: CommentNode[];
  visitorKeys: Record<string, string[]>;
  analysis: SqlFileAnalysis;
  /** The request `analysis` answered; needed to run a rule again with the options an ESLint config gives it. */
  request?: AnalysisRequest;
}

/**
 * A SQL file as ESLint's rules see it: text, lines, the statement tree, every comment, and
 * pgwarden's analysis of the file, whose findings the `pgwarden/*` rules report.
 */
export class SqlSourceCode extends TextSourceCodeBase<{
  LangOptions: SqlLanguageOptions;
  RootNode: MigrationNode;
  SyntaxElementWithLoc: SqlSyntaxElement;
  ConfigNode: CommentNode;
}> {
  override ast: MigrationNode;
  /** Every `--` and `/* *\/` comment of the file, in order. */
  readonly comments: readonly CommentNode[];
  readonly visitorKeys: Record<string, string[]>;
  /** pgwarden's analysis: every rule's findings (ESLint's rule settings pick which are shown). */
  readonly analysis: SqlFileAnalysis;
  readonly #parents = new WeakMap<SqlNode, SqlNode>();
  readonly #findings = new Map<string, FindingData[]>();
  readonly #withOptions = new Map<string, readonly FindingData[]>();
  readonly #request: AnalysisRequest | undefined;
  #steps: VisitNodeStep[] | undefined;
  #inlineConfigNodes: CommentNode[] | undefined;

  constructor(init: SqlSourceCodeInit) {
    super({ text: init.text, ast: init.ast, lineEndingPattern: LINE_BREAK });
    this.ast = init.ast;
    this.comments = init.comments;
    this.visitorKeys = init.visitorKeys;
    this.analysis = init.analysis;
    this.#request = init.request;
    const link = (node: SqlNode) => {
      for (const child of node.body as readonly StatementNode[]) {
        this.#parents.set(child, node);
        link(child);
      }
    };
    link(init.ast);
    for (const finding of init.analysis.findings) {
      let list = this.#findings.get(finding.ruleId);
      if (!list) this.#findings.set(finding.ruleId, (list = []));
      list.push(finding);
    }
  }

  /**
   * The findings of one pgwarden rule (its id without the `pgwarden/` prefix). With options
   * (validated), the rule runs again on the file with them: the language's analysis ran every
   * rule with its defaults, before ESLint's rule options were known.
   */
  findingsOf(ruleId: string, options?: RuleOptions): readonly FindingData[] {
    if (!options) return this.#findings.get(ruleId) ?? [];
    const key = JSON.stringify([ruleId, options]);
    let found = this.#withOptions.get(key);
    if (!found) {
      if (!this.#request) throw new Error(`pgwarden/${ruleId}: options need the analysis request the source code was made from.`);
      found = analyseSync({ ...this.#request, rule: { id: ruleId, options } }).findings.filter((f) => f.ruleId === ruleId);
      this.#withOptions.set(key, found);
    }
    return found;
  }

  get parseErrors(): readonly ParseErrorData[] {
    return this.analysis.parseErrors;
  }

  override getParent(node: SqlSyntaxElement): SqlSyntaxElement | undefined {
    return isCommentNode(node) ? undefined : this.#parents.get(node);
  }

  override traverse(): Iterable<TraversalStep> {
    if (!this.#steps) {
      const steps: VisitNodeStep[] = [];
      const visit = (node: SqlNode, parent: SqlNode | undefined) => {
        steps.push(new VisitNodeStep({ target: node, phase: 1, args: [node, parent] }));
        for (const child of node.body as readonly StatementNode[]) visit(child, node);
        steps.push(new VisitNodeStep({ target: node, phase: 2, args: [node, parent] }));
      };
      visit(this.ast, undefined);
      this.#steps = steps;
    }
    return this.#steps.values();
  }

  getInlineConfigNodes(): CommentNode[] {
    this.#inlineConfigNodes ??= this.comments.filter(isInlineConfigComment);
    return this.#inlineConfigNodes;
  }

  getDisableDirectives(): { directives: Directive[]; problems: FileProblem[] } {
    return disableDirectives(this.getInlineConfigNodes());
  }

  applyInlineConfig(): { configs: InlineConfig[]; problems: FileProblem[] } {
    return inlineConfigs(this.getInlineConfigNodes());
  }
}
