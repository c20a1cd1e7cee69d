import type { Caller } from '../access/caller';
import { wardIdentityOf } from './ward-oidc';

const caller = (over: Partial<Caller>): Caller => ({ clientId: 'c', organisation: {}, scopes: [], roles: [], ...over });

describe('wardIdentityOf (who the page shows as signed in, from the verified access token)', () => {
  it.each([
    [
      'a nurse: the trusted sub-unit, the unit and any HPR number',
      caller({ roles: ['care'], organisation: { parent: '974633574', child: '123456785' }, careUnit: 'Avdeling 3', hprNumber: '12345' }),
      { role: 'care', organisationNumber: '123456785', unit: 'Avdeling 3', hprNumber: '12345' },
    ],
    ['a care client of the legal entity only', caller({ roles: ['care'], organisation: { parent: '974633574' } }), { role: 'care', organisationNumber: '974633574' }],
    ['a prescriber', caller({ roles: ['prescriber'], hprNumber: '999999999' }), { role: 'prescriber', hprNumber: '999999999' }],
    ['a nurse who is also a prescriber signs in as the nurse', caller({ roles: ['prescriber', 'care'], hprNumber: '1', organisation: { child: '123456785' } }), { role: 'care', organisationNumber: '123456785', hprNumber: '1' }],
    ['a pharmacy: no page role', caller({ roles: ['pharmacy'], organisation: { child: '123456785' } }), undefined],
    ['a patient: no page role', caller({ roles: ['patient'], pid: '15034712345' }), undefined],
    ['a prescriber without an HPR number', caller({ roles: ['prescriber'] }), undefined],
  ])('%s', (_name, who, expected) => {
    expect(wardIdentityOf(who)).toEqual(expected);
  });
});
