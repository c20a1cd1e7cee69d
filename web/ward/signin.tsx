import { useState } from 'preact/hooks';
import { type Identity, devSignIn } from './api';
import { formText } from './format';

/* Sign-in. Dev mode: the form below (AUTH_MODE=dev only; the service refuses it otherwise). Production: a link to
 * /ward/login, where the service starts the OpenID Connect sign-in (HelseID) and later brings the browser back
 * signed in (docs/ward.md, "Production sign-in"). A plain link, not a script: it is a top-level navigation. */

const MESSAGES: Readonly<Record<string, string>> = {
  organisationNumber: 'Skriv et gyldig organisasjonsnummer (9 siffer), eller bare HPR-nummer for legevisning.',
  unit: 'Avdeling kan bare ha bokstaver, tall, mellomrom og . _ -, og krever organisasjonsnummer.',
  hprNumber: 'HPR-nummer er 1 til 9 siffer.',
};

export const SignIn = ({
  authMode,
  oidcSignIn,
  onSignedIn,
}: {
  authMode: 'dev' | 'oidc';
  oidcSignIn: boolean;
  onSignedIn: (who: Identity) => void;
}) => {
  const [invalid, setInvalid] = useState<string[]>([]);
  if (authMode !== 'dev') {
    return (
      <section aria-labelledby="signin-title">
        <h2 id="signin-title">Logg inn</h2>
        {oidcSignIn ? (
          <p>
            <a href="/ward/login">Logg inn med HelseID</a>
          </p>
        ) : (
          <p>Innlogging med HelseID (OpenID Connect) er ikke satt opp på denne tjenesten.</p>
        )}
      </section>
    );
  }
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const fields = Object.fromEntries(
      ['organisationNumber', 'unit', 'hprNumber'].map((name) => [name, formText(form, name)]),
    );
    const result = await devSignIn(fields);
    if ('invalid' in result) {
      setInvalid(result.invalid);
    } else {
      onSignedIn(result);
    }
  };
  const field = (name: string, label: string, hint: string, autocomplete = 'off') => (
    <div class="field">
      <label for={name}>{label}</label>
      <span class="hint" id={`${name}-hint`}>
        {hint}
      </span>
      <input
        id={name}
        name={name}
        autocomplete={autocomplete}
        inputMode={name === 'unit' ? 'text' : 'numeric'}
        aria-describedby={invalid.includes(name) ? `${name}-hint ${name}-error` : `${name}-hint`}
        aria-invalid={invalid.includes(name)}
      />
      {invalid.includes(name) ? (
        <span class="error" id={`${name}-error`}>
          {MESSAGES[name]}
        </span>
      ) : null}
    </div>
  );
  return (
    <section aria-labelledby="signin-title">
      <h2 id="signin-title">Logg inn (utviklingsmodus)</h2>
      <p>Utviklingsinnlogging: bare med AUTH_MODE=dev. Bruk aldri ekte pasientdata.</p>
      <form onSubmit={(event) => void submit(event)} noValidate>
        {field('organisationNumber', 'Organisasjonsnummer', 'Sykehjemmets eller hjemmetjenestens 9 siffer')}
        {field('unit', 'Avdeling', 'Valgfritt, for eksempel «Avdeling 2»')}
        {field('hprNumber', 'HPR-nummer', 'Valgfritt for sykepleier; alene gir det legevisning')}
        <button type="submit">Logg inn</button>
      </form>
    </section>
  );
};
