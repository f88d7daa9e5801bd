import { Ctx, Field, ObjectType, Query, registerEnumType, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import { Role } from './auth.enums';
import { type Viewer, viewerName } from './viewer';

export enum ViewerKind {
  ANONYMOUS = 'ANONYMOUS',
  KEY = 'KEY',
  SYSTEM = 'SYSTEM',
}
registerEnumType(ViewerKind, { name: 'ViewerKind' });

@ObjectType({ description: 'Who the API takes the caller to be (the add-on’s Conectar screen).' })
export class ViewerInfo {
  @Field(() => ViewerKind)
  kind!: ViewerKind;

  @Field(() => String, { description: 'Key name, or "anonymous".' })
  name!: string;

  @Field(() => Role)
  role!: Role;

  @Field(() => String, {
    nullable: true,
    description: 'UF the key is limited to; null = every state.',
  })
  stateUf!: string | null;
}

export function viewerInfo(viewer: Viewer): ViewerInfo {
  const kinds = { anonymous: ViewerKind.ANONYMOUS, key: ViewerKind.KEY, system: ViewerKind.SYSTEM };
  return {
    kind: kinds[viewer.kind],
    name: viewerName(viewer),
    role: viewer.role,
    stateUf: viewer.kind === 'anonymous' ? null : viewer.stateUf,
  };
}

@Resolver()
export class ViewerResolver {
  @Query(() => ViewerInfo)
  viewer(@Ctx() { viewer }: GraphQLContext): ViewerInfo {
    return viewerInfo(viewer);
  }
}
