import { BadUserInputError } from '../graphql/errors';

/** Relay global ids: base64 of `Type:rowId`, opaque to clients. */
export function toGlobalId(typeName: string, rowId: number): string {
  return Buffer.from(`${typeName}:${rowId}`, 'utf8').toString('base64url');
}

export function fromGlobalId(globalId: string): { typeName: string; rowId: number } {
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  const match = /^([A-Za-z]+):(\d{1,15})$/.exec(decoded);
  if (!match) {
    throw new BadUserInputError(
      `"${globalId}" is not a valid global id; use the \`id\` field of an object`,
      {
        argument: 'id',
      },
    );
  }
  return { typeName: match[1]!, rowId: Number(match[2]) };
}
