import { photosProjection } from '../evidence/photo.projection';
import { auditProjection } from './audit.projection';
import { dapilTalliesProjection } from './dapil-tally.projection';
import type { ProjectionDefinition } from './projection-definition';
import { talliesProjection } from './tally.projection';

/**
 * The projections the projector keeps, besides `result_current` (kept by the runtime itself): add a
 * definition here and the projector, `rebuildProjections` and `suara check` run it. Order is the
 * order of their writes within a batch's one statement (independent of each other either way).
 */
export const PROJECTIONS: readonly ProjectionDefinition[] = [talliesProjection, dapilTalliesProjection, auditProjection, photosProjection];
