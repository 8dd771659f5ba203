import { isSafeToken } from '../challenge/solver.js';
import type { SharedAnswers } from '../challenge/standalone.js';
import type { Storage } from './storage.js';

/**
 * HTTP-01 answers in the fleet's storage (`challenges/http-01/<token>`): published while an order waits for the
 * CA, withdrawn after. A key authorization is no secret (the CA fetches it over plain HTTP), so it is not sealed.
 */
export function sharedAnswers(storage: Storage): SharedAnswers {
  const key = (token: string) => `challenges/http-01/${token}`;
  return {
    publish: (token, keyAuthorization) => storage.store(key(token), keyAuthorization),
    withdraw: (token) => storage.delete(key(token)),
    lookup: async (token) => (isSafeToken(token) ? storage.load(key(token)) : undefined),
  };
}
