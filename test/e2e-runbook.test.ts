import { runbookSuite } from './helpers/e2e-runbook-suite.ts';

/** The MetalLB runbook end to end on the kwok sandbox (the suite: helpers/e2e-runbook-suite.ts). */
runbookSuite('kwok');
