// The adapter under test, chosen by the e2e driver; scenarios use only what
// both adapters export, so one suite checks both runners.
const runner = process.env.VIVARIUM_E2E_RUNNER ?? 'vitest';
module.exports = runner === 'jest' ? require('@vivarium/jest') : require('@vivarium/vitest');
