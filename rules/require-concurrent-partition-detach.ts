import type { PartitionCmd } from 'libpg-query';
import { defineRule } from '../src/analysis/rule.js';
import { alterCommands, relationName, unwrap } from '../src/sql/ast.js';

export default defineRule({
  meta: {
    id: 'require-concurrent-partition-detach',
    risk: 'medium',
    tags: ['locking'],
    lock: 'ACCESS EXCLUSIVE',
    summary: 'ALTER TABLE … DETACH PARTITION without CONCURRENTLY on a partitioned table that existed before this migration.',
    rationale: [
      'A plain `DETACH PARTITION` takes an `ACCESS EXCLUSIVE` lock on the partitioned table and on the partition. ',
      'While it waits for that lock, behind any running query on any partition, every new read and write of the ',
      'whole partitioned table queues behind it, and once granted the lock is held until the transaction commits. ',
      'When a foreign key references the partitioned table, the detach also checks under that lock that no ',
      'referencing row points into the partition, which reads the referencing table: the outage grows with its size.',
      '',
      '`DETACH PARTITION … CONCURRENTLY` (PostgreSQL 14+) takes only `SHARE UPDATE EXCLUSIVE` on the partitioned ',
      'table, so queries continue. It runs as two transactions of its own, so it cannot run inside a transaction ',
      'block, and it is refused while the partitioned table has a `DEFAULT` partition. If it is interrupted, the ',
      'partition stays "detach pending" until `ALTER TABLE … DETACH PARTITION … FINALIZE` completes it.',
    ].join('\n'),
    help: 'Use DETACH PARTITION … CONCURRENTLY in a migration that runs outside a transaction (not possible while a DEFAULT partition exists).',
    badExample: 'ALTER TABLE events DETACH PARTITION events_2023;',
    safeRewrite: [
      '-- A migration of its own, outside a transaction: CONCURRENTLY runs two transactions itself.',
      '-- pgwarden:no-transaction',
      "SET lock_timeout = '5s';",
      'ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;',
      '-- If it was interrupted, the partition is left "detach pending"; complete it with:',
      '--   ALTER TABLE events DETACH PARTITION events_2023 FINALIZE;',
    ].join('\n'),
    versionNotes:
      'CONCURRENTLY exists from PostgreSQL 14; before that every detach takes `ACCESS EXCLUSIVE` on the partitioned ' +
      'table, so pgwarden does not report it on older versions (there is nothing to switch to).',
    postgres: { min: 14 },
  },
  create(context) {
    return {
      AlterTableStmt(node, statement) {
        if (context.state.schema.isCreatedHere(node.relation)) return;
        const partitions = alterCommands(node.cmds)
          .filter((cmd) => cmd.subtype === 'AT_DetachPartition')
          .map((cmd) => unwrap<PartitionCmd>(cmd.def, 'PartitionCmd'))
          .filter((partition) => partition && !partition.concurrent)
          .map((partition) => relationName(partition!.name));
        if (!partitions.length) return;
        const parent = relationName(node.relation);
        context.report({
          statement,
          message: `DETACH PARTITION ${partitions.join(', ')} takes an ACCESS EXCLUSIVE lock on ${parent}, blocking every read and write of the partitioned table until the transaction commits.`,
        });
      },
    };
  },
});
