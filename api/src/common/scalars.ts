import { LocalDateResolver } from 'graphql-scalars';

/** A calendar day as `YYYY-MM-DD`; stored as the same text so it sorts and compares on both databases. */
export const LocalDate = LocalDateResolver;
