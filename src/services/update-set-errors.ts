// The errors of an ITI-57 request, with the XDS codes they map to (error-codes.ts reads `reason`).
import { CarnetError } from '../domain/errors.js';

export function updateError(message: string, location?: string): CarnetError {
  return new CarnetError('invalid_metadata', message, { location, reason: 'XDSMetadataUpdateError' });
}

export function operationError(message: string, location?: string): CarnetError {
  return new CarnetError('update_operation', message, { location, reason: 'XDSMetadataUpdateOperationError' });
}

export function versionError(message: string, location?: string): CarnetError {
  return new CarnetError('version_conflict', message, { location });
}

/**
 * What an id the registry does not hold answers, as sent; a document the caller may not read
 * answers the same (ACC-08), whatever else would have been wrong with the request.
 */
export function unknownObject(id: string): CarnetError {
  return updateError(`${id} is not in the registry`, id);
}

export function unknownLogicalId(v: { id: string; logicalId: string }): CarnetError {
  return versionError(`no registered object has the logical id ${v.logicalId}`, v.id);
}
