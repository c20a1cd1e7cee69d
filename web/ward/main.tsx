import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { type Identity, type Session, closeLive, live, loadSession, query, signOut } from './api';
import { ChartView } from './chart-view';
import { failureCode } from './format';
import { type CareUnit, type Resident, UNIT_LIVE, UNIT_QUERY } from './queries';
import { SignIn } from './signin';
import { UnitView } from './unit';

/* The ward page (issue 20): sign in, the unit, a resident's chart. Bokmål throughout. */

interface Scope {
  readonly org: string;
  readonly unit: string | null;
}

const scopeOf = (who: Identity): Scope | undefined =>
  who.organisationNumber === undefined ? undefined : { org: who.organisationNumber, unit: who.unit ?? null };

/**
 * A prescriber signed in with an HPR number alone has no unit: a care organisation's list of residents is its own
 * staff's and auditors' (issue 15), not every prescriber's. A nursing home's doctor signs in with the home's
 * organisation number and unit as well.
 */
const NoUnit = () => (
  <section aria-labelledby="no-unit-title">
    <h2 id="no-unit-title">Ingen avdeling</h2>
    <p>
      Beboerlisten til en avdeling kan bare avdelingens egne ansatte og tilsynsmyndigheter se. Er du tilsynslege ved et
      sykehjem, logg ut og logg inn med sykehjemmets organisasjonsnummer, avdeling og ditt HPR-nummer.
    </p>
  </section>
);

const Unit = ({ scope, onOpen }: { scope: Scope; onOpen: (resident: Resident) => void }) => {
  const [unit, setUnit] = useState<CareUnit | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    const variables = { org: scope.org, unit: scope.unit };
    query<{ careUnit: CareUnit }>(UNIT_QUERY, variables).then(
      (data) => setUnit(data.careUnit),
      (failure: unknown) => setError(failureCode(failure)),
    );
    return live<{ careUnitChanged: CareUnit }>(UNIT_LIVE, variables, (data) => setUnit(data.careUnitChanged), setError);
  }, [scope.org, scope.unit]);
  if (error !== undefined) {
    return (
      <p class="error" role="alert">
        Kunne ikke hente avdelingen ({error}).
      </p>
    );
  }
  return unit === undefined ? <p>Henter avdelingen …</p> : <UnitView unit={unit} onOpen={onOpen} />;
};

const App = () => {
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [scope, setScope] = useState<Scope | undefined>(undefined);
  const [resident, setResident] = useState<Resident | undefined>(undefined);
  const [status, setStatus] = useState('');

  useEffect(() => {
    void loadSession().then((loaded) => {
      setSession(loaded);
      setScope(loaded.signedIn === null ? undefined : scopeOf(loaded.signedIn));
    });
  }, []);

  const signedIn = session?.signedIn ?? null;
  const leave = async (): Promise<void> => {
    closeLive();
    await signOut();
    setResident(undefined);
    setScope(undefined);
    setSession(await loadSession());
  };

  return (
    <>
      <header class="no-print">
        <p class="title">Legemiddelkort – sykehjem og hjemmetjeneste</p>
        {signedIn === null ? null : (
          <p class="who">
            {signedIn.role === 'care'
              ? `Sykepleier, org. ${signedIn.organisationNumber ?? ''}${signedIn.unit === undefined ? '' : `, ${signedIn.unit}`}`
              : `Lege, HPR ${signedIn.hprNumber ?? ''}`}{' '}
            <button type="button" onClick={() => void leave()}>
              Logg ut
            </button>
          </p>
        )}
      </header>
      <main>
        <h1 class="sr-only">Legemiddelkort</h1>
        <div role="status" aria-live="polite" class="sr-only">
          {status}
        </div>
        {session === undefined ? (
          <p>Laster …</p>
        ) : signedIn === null ? (
          <SignIn
            authMode={session.authMode}
            oidcSignIn={session.oidcSignIn}
            onSignedIn={(who) => {
              setSession({ ...session, signedIn: who });
              setScope(scopeOf(who));
            }}
          />
        ) : resident !== undefined ? (
          <ChartView resident={resident} onBack={() => setResident(undefined)} announce={setStatus} />
        ) : scope === undefined ? (
          <NoUnit />
        ) : (
          <Unit scope={scope} onOpen={setResident} />
        )}
      </main>
    </>
  );
};

const root = document.getElementById('app');
if (root !== null) {
  root.textContent = '';
  render(<App />, root);
}
