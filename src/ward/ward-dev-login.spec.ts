import { DEV_SESSION_SECONDS, devLogin, parseDevLoginForm } from './ward-dev-login';

const ORG = '974812002';

describe('the ward page’s dev sign-in form', () => {
  it('signs a nurse in for an organisation and unit (role care, as npm run token does)', () => {
    expect(devLogin(parseDevLoginForm({ organisationNumber: ` ${ORG} `, unit: 'Avdeling 2', hprNumber: '' }))).toEqual({
      ok: true,
      token: {
        role: 'care',
        org: ORG,
        unit: 'Avdeling 2',
        level: 4,
        expiresInSeconds: DEV_SESSION_SECONDS,
        clientId: 'pll-ward-dev',
      },
      identity: { role: 'care', organisationNumber: ORG, unit: 'Avdeling 2' },
    });
  });

  it('signs a prescriber in with an HPR number alone', () => {
    expect(devLogin(parseDevLoginForm({ hprNumber: '9144889' }))).toMatchObject({
      ok: true,
      token: { role: 'prescriber', hpr: '9144889' },
      identity: { role: 'prescriber', hprNumber: '9144889' },
    });
  });

  it.each([
    [{}, ['organisationNumber']],
    [{ organisationNumber: '974812003' }, ['organisationNumber']],
    [{ organisationNumber: ORG, unit: 'Avd <2>' }, ['unit']],
    [{ unit: 'Avdeling 2', hprNumber: '9144889' }, ['unit']],
    [{ organisationNumber: ORG, hprNumber: '12a' }, ['hprNumber']],
    ['not an object', ['organisationNumber']],
  ])('names the wrong fields of %j', (body, invalid) => {
    expect(devLogin(parseDevLoginForm(body))).toEqual({ ok: false, invalid });
  });
});
