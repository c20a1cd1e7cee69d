/**
 * The Norwegian calendar day (YYYY-MM-DD) of an instant. Care relations and other clinical dates are Norwegian
 * days; near midnight UTC and Oslo disagree on "today". Undefined for an unparsable instant.
 */
const osloDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Oslo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

export const osloDateOf = (at: string | Date): string | undefined => {
  const time = typeof at === 'string' ? Date.parse(at) : at.getTime();
  return Number.isNaN(time) ? undefined : osloDate.format(new Date(time));
};
