/** The read side's public surface (CLI, health, live gateway, other contexts). */
export { projectionsMigrations } from './projections.migrations';
export { rebuildProjections, checkTallies, type RebuildReport, type RebuildOptions, type CheckReport } from './rebuild';
export { projectionStatus, ProjectionHealth, LAG_COUNT_LIMIT, type ProjectionStatus } from './projection-health';
export { Projector, applyBatch, type ProjectorOptions, type BatchOutcome } from './projector';
export { TallyChangeFeed, TALLIES_CHANNEL, type TallyChange, type TallyChangeListener } from './tally-changes';
export { TalliesService } from './tallies.service';
export { ProjectionsModule } from './projections.module';
export { TALLIES_PROJECTION } from './projection-store';
export type { TallyDifference } from './tally-check';
export type { ChangedRegions } from './tally.projection';
