import { Field, ID, InputType, Int } from 'type-graphql';
import { AuditAction, AuditVia } from './audit.enums';

@InputType({ description: 'Filters of `auditLog`; all optional, combined with AND.' })
export class AuditLogFilter {
  @Field(() => String, { nullable: true, description: 'e.g. Municipality, Person, Mandate.' })
  entityType?: string | null;

  @Field(() => ID, { nullable: true, description: 'Global id of the changed row.' })
  entityId?: string | null;

  @Field(() => [AuditAction], { nullable: true })
  action?: AuditAction[] | null;

  @Field(() => [AuditVia], { nullable: true })
  via?: AuditVia[] | null;

  @Field(() => String, { nullable: true, description: 'Key name (or import user).' })
  actor?: string | null;

  @Field(() => String, { nullable: true })
  requestId?: string | null;

  @Field(() => Int, { nullable: true })
  importRunId?: number | null;

  @Field(() => String, { nullable: true })
  stateUf?: string | null;

  @Field(() => Date, { nullable: true, description: 'Changes at or after this instant.' })
  since?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Changes before this instant.' })
  until?: Date | null;
}
