import { faultsSuite } from './helpers/e2e-faults-suite.ts';

/** Faults on the kwok sandbox (the suite: helpers/e2e-faults-suite.ts). */
faultsSuite('kwok');
