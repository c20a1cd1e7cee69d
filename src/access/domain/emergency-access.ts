import { cleanText } from '../../shared/text/free-text';
import { EMERGENCY_BASIS_CODES, type EmergencyAccess } from './policy';

/**
 * The emergency statement of an operation's raw arguments (the guard runs before the validation pipe). Its reason is
 * free text that goes into the access log and to the patient: checked and put into NFC here (free-text.ts), so an
 * unclean reason is BAD_USER_INPUT naming `emergency.reason`, before anything is audited.
 */
export const emergencyOf = (value: unknown): EmergencyAccess | undefined => {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const reason: unknown = Reflect.get(value, 'reason');
  const basisCode: unknown = Reflect.get(value, 'basisCode');
  const code = EMERGENCY_BASIS_CODES.find((candidate) => candidate === basisCode);
  return typeof reason === 'string' && code !== undefined
    ? { reason: cleanText(reason, 'emergency.reason'), basisCode: code }
    : undefined;
};
