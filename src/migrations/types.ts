export const LAYOUTS = [
  'paired-files',
  'directory-pairs',
  'sections',
  'rollback-folder',
  'flyway',
  'prisma',
  'plain',
] as const;
export type LayoutName = (typeof LAYOUTS)[number];

export type Direction = 'up' | 'down';

/** Where a file stands in its migration history. */
export interface MigrationInfo {
  id: string;
  direction: Direction;
  layout: LayoutName;
  /** Path of the rollback part (for an up part), or null when there is none. */
  rollback: string | null;
  /** The layout or config expects a rollback for this migration. */
  rollbackExpected: boolean;
  /** The rollback part exists but holds no statement. */
  rollbackEmpty: boolean;
}
