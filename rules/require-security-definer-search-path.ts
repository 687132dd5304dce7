import type { AlterFunctionStmt, CreateFunctionStmt, DefElem, FunctionParameter, Node, ObjectWithArgs, VariableSetStmt } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { defElems, stringList, typeDisplay, typeInfo, unwrap } from '../src/sql/ast.js';

/** What the migration has established about a function; undefined: not known from this file. */
interface FunctionFacts {
  definer?: boolean;
  pinned?: boolean;
}

export default defineRule({
  meta: {
    id: 'require-security-definer-search-path',
    risk: 'high',
    tags: ['security', 'access'],
    summary: 'A SECURITY DEFINER function or procedure without its own search_path (SET search_path = … in its definition).',
    rationale: [
      'A `SECURITY DEFINER` function runs with the privileges of its owner, often the migration role that owns every',
      'table. Every unqualified name in its body (tables, functions, operators, types) is looked up through the',
      '`search_path` of the session that calls it. A caller who can create objects in any schema on that path (their',
      'own schema, `public` before PostgreSQL 15, or the session’s temporary schema, which is searched first for',
      'tables unless listed) can put an object of the same name there, and the function then reads their table or',
      'runs their code with the owner’s rights. This is the classic privilege escalation the PostgreSQL manual warns',
      'about in “Writing SECURITY DEFINER Functions Safely”.',
      '',
      'The fix is to give the function its own path: `SET search_path = pg_catalog, app, pg_temp` (trusted schemas',
      'only, `pg_temp` last) or `SET search_path = \'\'` with every name schema-qualified in the body. The rule also',
      'checks `ALTER FUNCTION … SECURITY DEFINER` and `ALTER FUNCTION … RESET search_path` on a definer function.',
      'When an `ALTER FUNCTION` turns on `SECURITY DEFINER` for a function this migration did not create, pgwarden',
      'cannot see whether it already has a path, and reports it at medium risk.',
    ].join('\n'),
    help: "Add SET search_path = pg_catalog, <trusted schemas>, pg_temp (or = '' with schema-qualified names) to the function definition.",
    badExample: [
      'CREATE FUNCTION delete_account(account_id bigint) RETURNS void',
      'LANGUAGE sql SECURITY DEFINER',
      'AS $$ DELETE FROM accounts WHERE id = account_id $$;',
    ].join('\n'),
    safeRewrite: [
      '-- The function carries its own search_path: callers cannot redirect the names in its body.',
      'CREATE FUNCTION delete_account(account_id bigint) RETURNS void',
      'LANGUAGE sql SECURITY DEFINER',
      'SET search_path = pg_catalog, public, pg_temp',
      'AS $$ DELETE FROM public.accounts WHERE id = account_id $$;',
      '-- And only the roles that need it may call it (functions are executable by PUBLIC by default):',
      'REVOKE EXECUTE ON FUNCTION delete_account(bigint) FROM PUBLIC;',
      'GRANT EXECUTE ON FUNCTION delete_account(bigint) TO app_admin;',
    ].join('\n'),
    versionNotes: [
      'Since PostgreSQL 15 new databases no longer let every role create objects in `public`, which narrows who can ',
      'plant an object on a default path; databases upgraded from older versions keep the old privilege, and the ',
      'temporary schema is open to every session on every version.',
    ].join(''),
  },
  create(context) {
    const known = new Map<string, FunctionFacts>();
    const kind = (isProcedure: boolean | undefined) => (isProcedure ? 'procedure' : 'function');
    return {
      CreateFunctionStmt(node: CreateFunctionStmt, statement) {
        // A definition (OR REPLACE too) starts from PostgreSQL's defaults: SECURITY INVOKER, no settings.
        const facts = factsFrom(defElems(node.options), { definer: false, pinned: false });
        const name = stringList(node.funcname).join('.');
        known.set(signature(node.funcname, inputTypes(node.parameters)), facts);
        if (!facts.definer || facts.pinned) return;
        context.report({
          statement,
          message: `SECURITY DEFINER ${kind(node.is_procedure)} ${name} runs with its owner's privileges but resolves names through the caller's search_path, so a caller who can create objects on that path can make it use theirs.`,
        });
      },
      AlterFunctionStmt(node: AlterFunctionStmt, statement) {
        const func = node.func;
        if (!func) return;
        const key = signature(func.objname, (func.objargs ?? []).map(typeName));
        const before = func.args_unspecified ? byName(known, func.objname) : known.get(key);
        const after = factsFrom(defElems(node.actions), before ?? {});
        known.set(key, after);
        if (!after.definer || after.pinned) return;
        const name = stringList(func.objname).join('.');
        const what = node.objtype === 'OBJECT_PROCEDURE' ? 'procedure' : 'function';
        if (after.pinned === false) {
          context.report({
            statement,
            message: `After this ALTER, SECURITY DEFINER ${what} ${name} resolves names through the caller's search_path while running with its owner's privileges.`,
          });
        } else {
          context.report({
            statement,
            risk: 'medium',
            message: `ALTER … SECURITY DEFINER makes ${what} ${name} run with its owner's privileges; this migration does not show it pinning search_path, so check that its definition has SET search_path.`,
          });
        }
      },
    };
  },
});

/** The facts after applying `SECURITY …` and `SET/RESET search_path` options to `base`. */
function factsFrom(options: readonly DefElem[], base: FunctionFacts): FunctionFacts {
  const facts = { ...base };
  for (const option of options) {
    if (option.defname === 'security') facts.definer = unwrap<{ boolval?: boolean }>(option.arg, 'Boolean')?.boolval === true;
    if (option.defname !== 'set') continue;
    const set = unwrap<VariableSetStmt>(option.arg, 'VariableSetStmt');
    if (set?.kind === 'VAR_RESET_ALL') facts.pinned = false;
    else if (set?.name?.toLowerCase() === 'search_path') facts.pinned = set.kind === 'VAR_SET_VALUE' || set.kind === 'VAR_SET_CURRENT';
  }
  return facts;
}

function inputTypes(parameters: Node[] | undefined): string[] {
  return (parameters ?? [])
    .map((p) => unwrap<FunctionParameter>(p, 'FunctionParameter'))
    .filter((p): p is FunctionParameter => !!p && p.mode !== 'FUNC_PARAM_OUT' && p.mode !== 'FUNC_PARAM_TABLE')
    .map((p) => typeDisplay(typeInfo(p.argType)));
}

function typeName(node: Node): string {
  return typeDisplay(typeInfo(unwrap(node, 'TypeName')));
}

function signature(names: Node[] | undefined, types: string[]): string {
  const parts = stringList(names).map((n) => n.toLowerCase());
  const qualified = parts.length > 1 && parts[0] === 'public' ? parts.slice(1) : parts;
  return `${qualified.join('.')}(${types.join(',')})`;
}

/** `ALTER FUNCTION f …` without an argument list names the only function called f. */
function byName(known: Map<string, FunctionFacts>, names: ObjectWithArgs['objname']): FunctionFacts | undefined {
  const prefix = signature(names, []).slice(0, -1);
  const matches = [...known].filter(([key]) => key.startsWith(prefix));
  return matches.length === 1 ? matches[0]![1] : undefined;
}
