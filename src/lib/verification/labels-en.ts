/**
 * The badge and marks in English, for English pages (src/content/docs/en/). The Korean words, and
 * the shape both languages fill, are in labels.ts; a missing English word is a compile error.
 */
import type { Words } from './labels.ts';

export const EN: Words = {
  step: {
    passed: 'Passed',
    already: 'Already applied',
    written: 'File written',
    failed: 'Failed',
    skipped: 'Skipped',
    manual: 'Check by hand',
    fixture: 'Preparation',
    standin: 'Checked against a stand-in',
    stale: 'Changed since verified',
    error: 'Verification error: the report does not match its evidence',
  },
  run: {
    passed: 'passed',
    failed: 'failed',
    partial: 'partial: only some steps ran',
    interrupted: 'interrupted',
    stale: 'changed, not verified since',
    error: 'error: the report does not match its evidence',
  },
  noReport: 'Not verified yet',
  tonight: { failed: 'Failed tonight', setup: 'Not verified (setup failed)', none: 'No verification tonight' },
  tonightNote: {
    failed:
      "Tonight's verification of this version failed before it wrote a report. Earlier results are not shown. See the run log for the cause.",
    setup:
      'Tonight the preparation before the verification (packages, checksums, network, image pulls, npm ci) failed, so this version was not verified. The page did not fail. See the run log for the cause.',
    none: "Tonight's report for this version did not arrive. Earlier results are not shown. Check in the run log whether this version ran.",
  },
  lastResult: "Last verification (not tonight's)",
  runLink: "Tonight's run log",
  uncommitted: 'Made from uncommitted code',
  provider: { kwok: 'kwok sandbox', kind: 'kind cluster', pods: 'real-pod sandbox', context: 'given cluster' },
  providerNote: {
    kwok: 'A light sandbox that simulates nodes and kubelets. The API server and controllers really run.',
    kind: 'A cluster whose nodes run as Docker containers.',
    pods: "A one-node cluster in this machine's network namespaces, where a real kubelet, containerd, runc and kube-proxy run the pods. The page's addresses (192.168.35.x) exist only inside those namespaces.",
    context: 'The cluster named by a kubeconfig context.',
  },
  alreadyNote:
    'The command printed the page\'s "already applied" line, so the next steps were skipped as the page says. The step that changes things was not checked in this run.',
  writtenNote:
    "The page's file block was written to the working folder as it is. The next command, which uses the file, checks it.",
  errorNote:
    "The evidence kept in the report (output, exit code, values read through the API), checked again against the page and runbook as they are now, does not give the report's status. This result cannot be trusted. Verify again.",
  standinNote:
    "Compared with a stand-in object the runbook made from the page's YAML, so it cannot differ from the page. It means something only on a cluster with the real service.",
  inputs: (where) =>
    `Remote files: read from ${{ mirror: 'the offline mirror', url: 'their URLs', both: 'the offline mirror and their URLs' }[where]} (checked against the runbook's sha256 pins)`,
  continues: (chain) => `Verified on the cluster where the earlier pages (${chain}) ran first`,
  simulation: (simulated, real) => `Includes simulation: ${simulated} things simulated, ${real} really run.`,
  mark: {
    result: 'Verification: ',
    expected: 'Expected output (page)',
    actual: 'Actual output (cluster)',
    details: 'See it in the step-by-step record (in Korean)',
    showDiff: 'Show expected and actual output',
    showReason: 'Show why',
    whyNot: 'Why not ✓?',
    whatWrong: 'What does not match?',
    whatChanged: 'What changed?',
  },
  badge: {
    label: 'Verification status',
    verified: (run) => `Verification: ${run}`,
    noComponents: 'No component versions recorded',
    failedSteps: 'Failed steps:',
    more: (n) => `and ${n} more`,
    environment: 'Where it ran and the preparation steps',
    ranCode: 'Code that ran: commit',
    ciRun: 'CI run log',
    simulated: 'Simulated',
    real: 'Really run',
    fixtures: 'Preparation: stand-ins for the services an earlier chapter installs',
    standIns: (n) => `Steps checked against stand-ins (${n}): not counted as passed`,
    otherVersions: 'Other versions:',
    detailsOf: (minor) => `Step-by-step record (Kubernetes ${minor}, in Korean)`,
    overview: 'Verification status (in Korean)',
    translation:
      'These marks come from the runs of the Korean page. A command or output that differs from the one the run checked is marked as changed. The records behind them, and what changed, are written in Korean.',
  },
};
