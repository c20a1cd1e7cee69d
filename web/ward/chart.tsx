import type { ComponentChildren } from 'preact';
import { type ChartModel, chartModel, doseAt, periodOn } from './chart-model';
import { actor, date, dateTime, quantity } from './format';
import { type Entry, type MedicationList, normal } from './queries';

/* The resident's chart (legemiddelkort): what the nurse gives, when, and what changed. */

interface ChartProps {
  readonly list: MedicationList;
  /** YYYY-MM-DD the chart is for (today, or the history instant's day) */
  readonly day: string;
  /** entry ids changed while the page was open, not yet marked seen */
  readonly fresh: ReadonlySet<string>;
}

const NewMark = ({ id, fresh }: { id: string; fresh: ReadonlySet<string> }) =>
  fresh.has(id) ? <strong class="badge badge-new">Ny</strong> : null;

/** The name cell: the drug, its marks (new, changed since review, outside multidose) and who changed it. */
const NameCell = ({ entry, model, fresh }: { entry: Entry; model: ChartModel; fresh: ReadonlySet<string> }) => {
  const change = model.changedSinceReview.get(entry.entryId);
  return (
    <th scope="row">
      {entry.medication.displayName} <NewMark id={entry.entryId} fresh={fresh} />
      {normal(entry.multidose) === 'outside-multidose' ? (
        <strong class="badge badge-outside">Utenfor multidose</strong>
      ) : null}
      {change === undefined ? null : (
        <span class="changed">
          Endret {dateTime(change.at)} av {actor(change.by)}: {change.summary}
        </span>
      )}
    </th>
  );
};

const Section = ({ id, title, children }: { id: string; title: string; children: ComponentChildren }) => (
  <section aria-labelledby={id}>
    <h3 id={id}>{title}</h3>
    {children}
  </section>
);

const rowClass = (entry: Entry, model: ChartModel, fresh: ReadonlySet<string>): string =>
  [model.changedSinceReview.has(entry.entryId) ? 'row-changed' : '', fresh.has(entry.entryId) ? 'row-new' : '']
    .join(' ')
    .trim();

const RegularGrid = ({ model, day, fresh }: { model: ChartModel; day: string; fresh: ReadonlySet<string> }) => (
  <Section id="faste" title="Faste legemidler">
    {model.regular.length === 0 ? (
      <p>Ingen faste legemidler.</p>
    ) : (
      <table class="grid">
        <caption class="sr-only">Faste legemidler etter tidspunkt, med dose og enhet</caption>
        <thead>
          <tr>
            <th scope="col">Legemiddel</th>
            {model.columns.map((column) => (
              <th scope="col" key={column.key}>
                {column.label}
              </th>
            ))}
            <th scope="col">Bruk</th>
          </tr>
        </thead>
        <tbody>
          {model.regular.map((entry) => (
            <tr key={entry.entryId} class={rowClass(entry, model, fresh)}>
              <NameCell entry={entry} model={model} fresh={fresh} />
              {model.columns.map((column) => {
                const dose = doseAt(entry, column, day);
                return <td key={column.key}>{dose === undefined ? '–' : `${quantity(dose.quantity)} ${dose.unit}`}</td>;
              })}
              <td>
                {entry.useLabel}
                {entry.indication === null ? '' : ` – ${entry.indication}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </Section>
);

const AsNeeded = ({ model, fresh }: { model: ChartModel; fresh: ReadonlySet<string> }) => (
  <Section id="behov" title="Ved behov">
    {model.asNeeded.length === 0 ? (
      <p>Ingen behovslegemidler.</p>
    ) : (
      <table>
        <thead>
          <tr>
            <th scope="col">Legemiddel</th>
            <th scope="col">Dose</th>
            <th scope="col">Høyst per døgn</th>
            <th scope="col">Indikasjon</th>
          </tr>
        </thead>
        <tbody>
          {model.asNeeded.map((entry) => (
            <tr key={entry.entryId} class={rowClass(entry, model, fresh)}>
              <NameCell entry={entry} model={model} fresh={fresh} />
              <td>
                {entry.asNeeded === null ? '' : `${quantity(entry.asNeeded.quantity)} ${entry.asNeeded.unit}`}
                {(entry.asNeeded?.minIntervalHours ?? null) === null
                  ? ''
                  : `, minst ${quantity(entry.asNeeded?.minIntervalHours ?? 0)} t mellom`}
              </td>
              <td>{entry.asNeeded === null ? '' : `${quantity(entry.asNeeded.maxPer24h)} ${entry.asNeeded.unit}`}</td>
              <td>{entry.indication ?? 'Ikke oppgitt'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </Section>
);

const Tapering = ({ model, day }: { model: ChartModel; day: string }) =>
  model.tapering.length === 0 ? null : (
    <Section id="nedtrapping" title="Nedtrapping og doseperioder">
      <ul>
        {model.tapering.map((entry) => (
          <li key={entry.entryId}>
            <strong>{entry.medication.displayName}</strong>
            <ol>
              {entry.dosage.periods.map((period) => (
                <li key={period.start} class={periodOn(entry, day) === period ? 'period-now' : ''}>
                  {date(period.start)}–{period.end === null ? 'videre' : date(period.end)}:{' '}
                  {period.fixedDoses
                    .map((d) => `${quantity(d.quantity)} ${d.unit}${d.time === null ? '' : ` kl. ${d.time}`}`)
                    .join(', ') || 'ved behov'}
                  {periodOn(entry, day) === period ? ' (gjelder nå)' : ''}
                </li>
              ))}
            </ol>
          </li>
        ))}
      </ul>
    </Section>
  );

const Multidose = ({ list, model }: { list: MedicationList; model: ChartModel }) =>
  list.multidose === null ? null : (
    <Section id="multidose" title="Multidose">
      <p>
        Multidose fra {date(list.multidose.from)}
        {list.multidose.lastPacking === null
          ? ''
          : `; poser pakket for ${date(list.multidose.lastPacking.firstDoseOn)}–${date(list.multidose.lastPacking.lastDoseOn)}`}
        .
      </p>
      <p>
        I posene:{' '}
        {list.entries
          .filter((e) => normal(e.multidose) === 'packed')
          .map((e) => e.medication.displayName)
          .join(', ') || 'ingen'}
        .
      </p>
      <div class="outside" role="note">
        <strong>Gis utenfor multidoseposen ({model.outsideMultidose.length}):</strong>{' '}
        {model.outsideMultidose.map((e) => e.medication.displayName).join(', ') || 'ingen'}
      </div>
    </Section>
  );

const Paused = ({ model }: { model: ChartModel }) =>
  model.paused.length === 0 ? null : (
    <Section id="pauset" title="Pauset">
      <ul>
        {model.paused.map((entry) => (
          <li key={entry.entryId}>
            <strong>{entry.medication.displayName}</strong> – pauset{' '}
            {entry.pausedAt === null ? '' : dateTime(entry.pausedAt)}
            {entry.pauseReason === null ? '' : `: ${entry.pauseReason}`}
          </li>
        ))}
      </ul>
    </Section>
  );

const Discontinued = ({ list, fresh }: { list: MedicationList; fresh: ReadonlySet<string> }) =>
  list.discontinued.length === 0 ? null : (
    <Section id="seponert" title="Seponert siste 90 dager">
      <ul>
        {list.discontinued.map((entry) => (
          <li key={entry.entryId}>
            <del>{entry.medication.displayName}</del> <NewMark id={entry.entryId} fresh={fresh} /> – seponert{' '}
            {dateTime(entry.discontinuedAt)} av {actor(entry.discontinuedBy)}. Årsak: {entry.reasonLabel}
            {entry.note === null ? '' : ` (${entry.note})`}
          </li>
        ))}
      </ul>
    </Section>
  );

/** Every change since the last review, newest first, with who and when (the nurse's "what is new on this list"). */
const ChangesSinceReview = ({ list }: { list: MedicationList }) =>
  list.changesSinceReview.length === 0 ? null : (
    <Section id="endringer" title="Endret siden siste gjennomgang">
      <ul class="changes">
        {[...list.changesSinceReview].reverse().map((change) => (
          <li key={`${change.at}-${change.summary}`}>
            <strong>{dateTime(change.at)}</strong>, {actor(change.by)}: {change.summary}
          </li>
        ))}
      </ul>
    </Section>
  );

const REVIEW: Readonly<Record<string, string>> = {
  reviewed: 'Gjennomgått',
  'not-reviewed': 'Må gjennomgås',
  never: 'Aldri gjennomgått',
};

export const ChartBody = ({ list, day, fresh }: ChartProps) => {
  const model = chartModel(list, day);
  return (
    <>
      <p class="list-meta">
        Listeversjon {list.version}. {REVIEW[normal(list.review.status)] ?? list.review.status}
        {list.review.reviewedAt === null ? '' : ` ${dateTime(list.review.reviewedAt)}`}
        {list.review.reviewedBy === null ? '' : ` av ${actor(list.review.reviewedBy)}`}. Endringer siden siste
        gjennomgang: {list.changesSinceReview.length}.
      </p>
      <ChangesSinceReview list={list} />
      <RegularGrid model={model} day={day} fresh={fresh} />
      <AsNeeded model={model} fresh={fresh} />
      <Tapering model={model} day={day} />
      <Multidose list={list} model={model} />
      <Paused model={model} />
      {model.other.length === 0 ? null : (
        <Section id="andre" title="Andre legemidler">
          <ul>
            {model.other.map((e) => (
              <li key={e.entryId}>
                {e.medication.displayName}: {e.dosageText}
              </li>
            ))}
          </ul>
        </Section>
      )}
      <Discontinued list={list} fresh={fresh} />
    </>
  );
};
