import { useEffect, useRef, useState } from 'preact/hooks';
import { live, query } from './api';
import { ChartBody } from './chart';
import { changedEntryIds } from './chart-model';
import { dateTime, failureCode, formText } from './format';
import { CHART_LIVE, type MedicationList, type Resident, chartQuery } from './queries';
import { residentLabel } from './unit';

/* One resident's chart: live now, or as it was at a chosen moment (asOf); printable on A4. */

interface ChartViewProps {
  readonly resident: Resident;
  readonly onBack: () => void;
  readonly announce: (message: string) => void;
}

const today = (): string => new Date().toISOString().slice(0, 10);

export const ChartView = ({ resident, onBack, announce }: ChartViewProps) => {
  const [list, setList] = useState<MedicationList | undefined>(undefined);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [asOf, setAsOf] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const heading = useRef<HTMLHeadingElement>(null);
  const seen = useRef<MedicationList | undefined>(undefined);

  useEffect(() => heading.current?.focus(), []);

  useEffect(() => {
    setError(undefined);
    if (asOf !== undefined) {
      query<{ medicationList: MedicationList }>(chartQuery(asOf), { p: resident.patientId }).then(
        (data) => setList(data.medicationList),
        (failure: unknown) => setError(failureCode(failure)),
      );
      return undefined;
    }
    // The subscription's first message is the list now; each later one a committed change.
    return live<{ medicationListChanged: MedicationList }>(
      CHART_LIVE,
      { p: resident.patientId },
      ({ medicationListChanged: next }) => {
        const before = seen.current;
        seen.current = next;
        setList(next);
        if (before !== undefined && before.version !== next.version) {
          const changed = changedEntryIds(before, next);
          setFresh((current) => new Set([...current, ...changed]));
          announce(`Legemiddelkortet er oppdatert: listeversjon ${next.version}, ${changed.length} endret.`);
        }
      },
      (code) => setError(code),
    );
  }, [resident.patientId, asOf]);

  const showHistory = (event: Event): void => {
    event.preventDefault();
    const value = formText(new FormData(event.currentTarget as HTMLFormElement), 'asOf');
    const at = new Date(value);
    if (value !== '' && !Number.isNaN(at.getTime())) {
      seen.current = undefined;
      setFresh(new Set());
      setAsOf(at.toISOString());
    }
  };
  const label = residentLabel(resident);
  const printedAt = dateTime(new Date().toISOString());

  return (
    <section aria-labelledby="chart-title" class="chart">
      <div class="toolbar no-print">
        <button type="button" onClick={onBack}>
          Tilbake til avdelingen
        </button>
        <button type="button" onClick={() => window.print()}>
          Skriv ut
        </button>
        {fresh.size > 0 ? (
          <button type="button" onClick={() => setFresh(new Set())}>
            Marker endringer som sett ({fresh.size})
          </button>
        ) : null}
      </div>
      <h2 id="chart-title" tabIndex={-1} ref={heading}>
        Legemiddelkort: {label}
        {resident.room === null ? '' : `, ${resident.room}`}
      </h2>
      <p class="print-only">
        Utskrevet {printedAt}. Listeversjon {list?.version ?? '–'}.
        {asOf === undefined ? '' : ` Historisk visning per ${dateTime(asOf)}.`}
      </p>
      <form class="history no-print" onSubmit={showHistory}>
        <label for="asOf">Vis listen slik den var</label>
        <input id="asOf" name="asOf" type="datetime-local" />
        <button type="submit">Vis</button>
        {asOf === undefined ? null : (
          <button type="button" onClick={() => setAsOf(undefined)}>
            Tilbake til nå
          </button>
        )}
      </form>
      {asOf === undefined ? null : (
        <p class="history-banner" role="status">
          Historisk visning: listen slik den ble vist {dateTime(asOf)}. Oppdateres ikke.
        </p>
      )}
      {error !== undefined ? (
        <p class="error" role="alert">
          Kunne ikke hente legemiddelkortet ({error}).
        </p>
      ) : null}
      {list === undefined ? (
        <p>Henter legemiddelkortet …</p>
      ) : (
        <ChartBody list={list} day={asOf?.slice(0, 10) ?? today()} fresh={fresh} />
      )}
    </section>
  );
};
