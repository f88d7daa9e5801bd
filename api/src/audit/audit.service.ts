import { type Viewer, viewerName } from '../auth/viewer';
import type { Em } from '../db/orm';
import { AuditEntry } from './audit-entry.entity';
import { type AuditAction, AuditVia } from './audit.enums';

export interface AuditInput {
  viewer: Viewer;
  via: AuditVia;
  requestId?: string | null;
  importRunId?: number | null;
  entityType: string;
  entityId: number;
  action: AuditAction;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  /** UF of the changed row, so the log can be scoped like the data. */
  stateUf?: string | null;
}

/** Who made a change and how: a request's viewer, channel (default: the API) and id. */
export function originOf(request: {
  viewer: Viewer;
  via?: AuditVia | null;
  requestId?: string | null;
}): Pick<AuditInput, 'viewer' | 'via' | 'requestId'> {
  return {
    viewer: request.viewer,
    via: request.via ?? AuditVia.API,
    requestId: request.requestId ?? null,
  };
}

/** The columns of an audit entry, as `em.create` or a bulk insert (`insertRows`) takes them. */
export function auditRow(input: AuditInput, at: Date = new Date()) {
  return {
    at,
    actor: viewerName(input.viewer),
    apiKeyId: input.viewer.kind === 'key' ? input.viewer.apiKeyId : null,
    entityType: input.entityType,
    entityId: input.entityId,
    action: input.action,
    before: input.before ?? null,
    after: input.after ?? null,
    via: input.via,
    requestId: input.requestId ?? null,
    importRunId: input.importRunId ?? null,
    stateUf: input.stateUf ?? null,
  };
}

/**
 * The state an audit entry is scoped to, from the states its row belongs to: the one state, else
 * none (a row of several states, or none, is seen by unscoped keys only).
 */
export function auditStateUf(ufs: readonly string[]): string | null {
  return ufs.length === 1 ? ufs[0]! : null;
}

/**
 * Queues an audit entry on the caller's entity manager: it is written by the same flush, in the
 * same transaction, as the change it describes — both or neither.
 */
export function recordAudit(em: Em, input: AuditInput): AuditEntry {
  const entry = em.create(AuditEntry, auditRow(input));
  em.persist(entry);
  return entry;
}
