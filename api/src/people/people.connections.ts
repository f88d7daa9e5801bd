import { ObjectType } from 'type-graphql';
import { Connection } from '../graphql/connection';
import { Mandate } from './mandate.entity';
import { Organization } from './organization.entity';
import { Person } from './person.entity';

@ObjectType()
export class PersonConnection extends Connection(Person) {}

@ObjectType()
export class OrganizationConnection extends Connection(Organization) {}

@ObjectType()
export class MandateConnection extends Connection(Mandate) {}
