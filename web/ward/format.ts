import type { Actor } from './queries';

/* Norwegian formatting for the page; pure. */

const two = (n: number): string => String(n).padStart(2, '0');

/** 15.03.2026 */
export const date = (iso: string): string => {
  const [y = '', m = '', d = ''] = iso.slice(0, 10).split('-');
  return `${d}.${m}.${y}`;
};

/** 15.03.2026 kl. 09:15 (local time) */
export const dateTime = (iso: string): string => {
  const at = new Date(iso);
  return `${two(at.getDate())}.${two(at.getMonth() + 1)}.${at.getFullYear()} kl. ${two(at.getHours())}:${two(at.getMinutes())}`;
};

/** The person number masked except its birth date (the first six digits): "150347 *****". */
export const maskedPersonNumber = (patientId: string): string => `${patientId.slice(0, 6)} *****`;

/** "lege Kari Lege (HPR 9144889)", "sykepleier (org. 974812002)" */
export const actor = (by: Actor): string => {
  const role =
    { prescriber: 'lege', pharmacy: 'apotek', nurse: 'sykepleier', patient: 'pasienten', system: 'systemet' }[
      by.role
    ] ?? by.role;
  const who = by.name === null ? role : `${role} ${by.name}`;
  const id =
    by.hprNumber !== null
      ? `HPR ${by.hprNumber}`
      : by.organisationNumber !== null
        ? `org. ${by.organisationNumber}`
        : undefined;
  return id === undefined ? who : `${who} (${id})`;
};

/** 1, 0,5, 2 (Norwegian decimal comma) */
export const quantity = (value: number): string => String(value).replace('.', ',');

/** Part-of-day codes (8325) in their order, with their labels. */
export const PARTS_OF_DAY: readonly (readonly [string, string])[] = [
  ['1', 'Morgen'],
  ['2', 'Formiddag'],
  ['3', 'Middag'],
  ['4', 'Ettermiddag'],
  ['5', 'Kveld'],
  ['6', 'Natt'],
];

/** A text field of a submitted form ('' when absent or a file). */
export const formText = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value.trim() : '';
};

/** The message of a failure, for the page's error line (a code, never patient data). */
export const failureCode = (failure: unknown): string => (failure instanceof Error ? failure.message : 'UKJENT');
