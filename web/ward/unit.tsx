import { maskedPersonNumber } from './format';
import type { Attention, CareUnit, Resident } from './queries';

/* The unit view: the residents, what needs attention first. */

const BADGES: readonly (readonly [keyof Attention, string, string])[] = [
  ['prescriptionsExpired', 'resept utløpt', 'badge-alert'],
  ['openDiscrepancies', 'avvik', 'badge-alert'],
  ['changesSinceReview', 'endringer siden gjennomgang', 'badge-change'],
  ['prescriptionsExpiringSoon', 'resept utløper innen 14 dager', 'badge-change'],
  ['outsideMultidose', 'utenfor multidose', 'badge-outside'],
  ['paused', 'pauset', 'badge-info'],
];

/** Most attention first; then by room and name, so the order is stable. */
export const byAttention = (residents: readonly Resident[]): Resident[] =>
  [...residents].sort(
    (a, b) =>
      b.attention.score - a.attention.score ||
      (a.room ?? '').localeCompare(b.room ?? '', 'nb', { numeric: true }) ||
      (a.residentName ?? '').localeCompare(b.residentName ?? '', 'nb'),
  );

export const residentLabel = (resident: Resident): string =>
  resident.residentName ?? `Beboer ${maskedPersonNumber(resident.patientId)}`;

interface UnitProps {
  readonly unit: CareUnit;
  readonly onOpen: (resident: Resident) => void;
}

export const UnitView = ({ unit, onOpen }: UnitProps) => (
  <section aria-labelledby="unit-title">
    <h2 id="unit-title">
      {unit.unit ?? 'Hele virksomheten'} <span class="muted">({unit.patients.length} beboere)</span>
    </h2>
    {unit.patients.length === 0 ? (
      <p>Ingen beboere med aktivt pasientforhold.</p>
    ) : (
      <table class="unit">
        <caption class="sr-only">Beboere sortert etter hva som trenger oppmerksomhet</caption>
        <thead>
          <tr>
            <th scope="col">Beboer</th>
            <th scope="col">Rom</th>
            <th scope="col">Fødselsnummer</th>
            <th scope="col">Trenger oppmerksomhet</th>
          </tr>
        </thead>
        <tbody>
          {byAttention(unit.patients).map((resident) => (
            <tr key={resident.patientId}>
              <th scope="row">
                <button type="button" class="link" onClick={() => onOpen(resident)}>
                  {residentLabel(resident)}
                </button>
              </th>
              <td>{resident.room ?? '–'}</td>
              <td>{maskedPersonNumber(resident.patientId)}</td>
              <td>
                <ul class="badges">
                  {BADGES.filter(([key]) => resident.attention[key] > 0).map(([key, label, style]) => (
                    <li key={key} class={`badge ${style}`}>
                      {resident.attention[key]} {label}
                    </li>
                  ))}
                </ul>
                {resident.attention.score === 0 ? <span class="muted">Ingenting nytt</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
);
